using GridActors.Grains.Storage;
using GridActors.Grid;
using GridActors.Testing;

namespace GridActors.Grains.Tests;

/// <summary>What every task store must do; run against each one.</summary>
public abstract class TaskStoreContract
{
    protected abstract ITaskStore Store { get; }

    protected static JobReport Done(long index) => new(index, $"{index}", $"{index * index}", null, JobErrorKind.Script);

    [Fact]
    public async Task Items_AreReadBack_UntilTheirResultIsStored()
    {
        await Store.AddItemsAsync("t", 0, ["a", "b", "c"]);
        Assert.True(await Store.AddResultAsync("t", Done(1)));

        Assert.Equal([(0L, "a"), (2L, "c")], await Store.ReadItemsAsync("t", 0, 5));
    }

    [Fact]
    public async Task TheFirstResult_Wins_AndIsCountedOnce()
    {
        Assert.True(await Store.AddResultAsync("t", Done(0)));
        Assert.False(await Store.AddResultAsync("t", Done(0) with { Result = "other" }));
        Assert.True(await Store.AddResultAsync("t", new JobReport(1, "1", null, "Error: boom", JobErrorKind.Script)));

        Assert.Equal(new ResultCounts(1, 1), await Store.CountAsync("t"));
        Assert.Equal([Done(0), new JobReport(1, "1", null, "Error: boom", JobErrorKind.Script), null], await Store.ReadResultsAsync("t", 0, 3));
    }

    [Fact]
    public async Task ABatchOfResults_StoresEachNewOne_AndCountsThemOnce()
    {
        await Store.AddItemsAsync("t", 0, ["a", "b", "c"]);
        Assert.True(await Store.AddResultAsync("t", Done(1)));

        var stored = await Store.AddResultsAsync("t", [Done(0), Done(1) with { Result = "other" }, new JobReport(2, "c", null, "Error: boom", JobErrorKind.Script), Done(0)]);

        Assert.Equal([true, false, true, false], stored);
        Assert.Equal(new ResultCounts(2, 1), await Store.CountAsync("t"));
        Assert.Empty(await Store.ReadItemsAsync("t", 0, 3));
        Assert.Equal([Done(0), Done(1)], (await Store.ReadResultsAsync("t", 0, 2)).ToList());
    }

    [Fact]
    public async Task ARetriedBatch_DoesNotBringBackAFinishedItem()
    {
        await Store.AddItemsAsync("t", 0, ["a", "b"]);
        await Store.AddResultAsync("t", Done(0));

        await Store.AddItemsAsync("t", 0, ["a", "b"]);

        Assert.Equal([(1L, "b")], await Store.ReadItemsAsync("t", 0, 2));
    }

    [Fact]
    public async Task ForgottenResults_AreGone_AndCannotBeStoredAgain()
    {
        await Store.AddResultAsync("t", Done(0));
        await Store.AddResultAsync("t", Done(1));
        await Store.AddResultAsync("t", Done(2));

        await Store.ForgetAsync("t", 0, 2);

        Assert.Equal([null, null, Done(2)], await Store.ReadResultsAsync("t", 0, 3));
        Assert.False(await Store.AddResultAsync("t", Done(1)));
        Assert.Equal(new ResultCounts(3, 0), await Store.CountAsync("t"));
    }

    [Fact]
    public async Task Delete_RemovesEverything_OfThatTaskOnly()
    {
        await Store.AddItemsAsync("t", 0, ["a", "b"]);
        await Store.AddResultAsync("t", Done(0));
        await Store.AddResultAsync("other", Done(0));

        await Store.DeleteAsync("t");

        Assert.Empty(await Store.ReadItemsAsync("t", 0, 2));
        Assert.Equal([null], await Store.ReadResultsAsync("t", 0, 1));
        Assert.Equal(default, await Store.CountAsync("t"));
        Assert.Equal([Done(0)], await Store.ReadResultsAsync("other", 0, 1));
    }

    [Fact]
    public async Task TheListOfTasks_IsOldestFirst_KeepsTheFirstTime_AndLosesDeletedTasks()
    {
        var now = DateTimeOffset.UtcNow;
        await Store.RegisterAsync("late", now.AddSeconds(2));
        await Store.RegisterAsync("early", now);
        await Store.RegisterAsync("middle", now.AddSeconds(1));
        await Store.RegisterAsync("early", now.AddSeconds(5));

        await Store.DeleteAsync("middle");

        Assert.Equal(["early", "late"], await Store.ListAsync());
    }
}

public sealed class InMemoryTaskStoreTests : TaskStoreContract
{
    protected override ITaskStore Store { get; } = new InMemoryTaskStore();
}

public sealed class RedisTaskStoreTests(RedisServer redis) : TaskStoreContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly GridRedis _connection = new(redis.Address, "test-" + Guid.NewGuid().ToString("N")[..8]);

    protected override ITaskStore Store => new RedisTaskStore(_connection);

    [Fact]
    public async Task AllOfATasksKeys_ShareOneHashTag()
    {
        await Store.AddItemsAsync("t", 0, ["a"]);
        await Store.AddResultAsync("t", Done(1));

        var server = _connection.Database.Multiplexer.GetServer(redis.Address);
        var keys = server.Keys(pattern: $"{_connection.ClusterId}:*").Select(k => (string)k!).Order().ToList();
        Assert.Equal([$"{_connection.ClusterId}:task:{{t}}:items", $"{_connection.ClusterId}:task:{{t}}:meta", $"{_connection.ClusterId}:task:{{t}}:results"], keys);
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>One result at a time, as most of the contract's cases store them.</summary>
internal static class TaskStoreExtensions
{
    public static async Task<bool> AddResultAsync(this ITaskStore store, string taskId, JobReport report) => (await store.AddResultsAsync(taskId, [report]))[0];
}
