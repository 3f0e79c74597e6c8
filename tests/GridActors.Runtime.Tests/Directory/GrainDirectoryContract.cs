using GridActors.Runtime.Directory;
using GridActors.Runtime.Tests.Redis;
using GridActors.Testing;

namespace GridActors.Runtime.Tests.Directory;

/// <summary>What every grain directory must do; run against each provider.</summary>
public abstract class GrainDirectoryContract
{
    private static readonly GrainId Grain = new("task", "t1");
    private static readonly SiloAddress A = new("a", 11111, 1);
    private static readonly SiloAddress B = new("b", 11112, 2);

    protected abstract IGrainDirectory Directory { get; }

    [Fact]
    public async Task FirstRegistrationWins()
    {
        Assert.Null(await Directory.LookupAsync(Grain));

        Assert.Equal(A, await Directory.RegisterAsync(Grain, A));
        Assert.Equal(A, await Directory.RegisterAsync(Grain, B));
        Assert.Equal(A, await Directory.LookupAsync(Grain));
    }

    [Fact]
    public async Task EntryOfADeadSilo_IsReplaced()
    {
        await Directory.RegisterAsync(Grain, A);

        Assert.Equal(A, await Directory.RegisterAsync(Grain, B, deadSilo: new SiloAddress("c", 1, 1)));
        Assert.Equal(B, await Directory.RegisterAsync(Grain, B, deadSilo: A));
        Assert.Equal(B, await Directory.LookupAsync(Grain));
    }

    [Fact]
    public async Task Unregister_RemovesOnlyItsOwnEntry()
    {
        await Directory.RegisterAsync(Grain, A);

        await Directory.UnregisterAsync(Grain, B);
        Assert.Equal(A, await Directory.LookupAsync(Grain));
        await Directory.UnregisterAsync(Grain, A);
        Assert.Null(await Directory.LookupAsync(Grain));
    }
}

public sealed class InMemoryGrainDirectoryTests : GrainDirectoryContract
{
    protected override IGrainDirectory Directory { get; } = new InMemoryGrainDirectory();
}

[Collection(RedisCollection.Name)]
public sealed class RedisGrainDirectoryTests(RedisServer redis) : GrainDirectoryContract
{
    protected override IGrainDirectory Directory { get; } = new RedisGrainDirectory(RedisCollection.Connect(redis));
}
