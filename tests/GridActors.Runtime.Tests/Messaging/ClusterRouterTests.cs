using GridActors.Runtime.Directory;
using GridActors.Runtime.Messaging;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Runtime.Tests.Messaging;

/// <summary>Where the router sends a call for a grain the directory places on another silo.</summary>
public sealed class ClusterRouterTests : IAsyncLifetime
{
    // Nothing listens at this silo's port: a call routed to it fails to connect.
    private static readonly SiloAddress Other = new("127.0.0.1", Ports.Free(), 7);
    private static readonly GrainId Grain = new("probe", "a");
    private readonly IClusterMembership _membership = Substitute.For<IClusterMembership>();
    private readonly InMemoryGrainDirectory _directory = new();
    private TestSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _silo = await RuntimeFixture.StartAsync(new Probe(), services =>
        {
            services.AddClusterMessaging("secret");
            services.AddSingleton(_membership);
            services.AddSingleton<IGrainDirectory>(_directory);
        });
        await _directory.RegisterAsync(Grain, Other);
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task ASiloThisViewStillSeesJoining_IsLookedUpAfresh_AndKeepsItsGrains()
    {
        _membership.Members.Returns([Member(SiloStatus.Joining)]);
        _membership.RefreshAsync().Returns([Member(SiloStatus.Active)]);

        // The call goes to the other silo (and fails there); the grain is not taken over here.
        await Assert.ThrowsAsync<GrainCallException>(() => _silo.Grains.GetGrain<IProbeGrain>("a").EchoAsync("x"));

        Assert.Equal(Other, await _directory.LookupAsync(Grain));
    }

    [Fact]
    public async Task ASiloTheTableSaysIsDead_HasItsGrainsTakenOver()
    {
        _membership.Members.Returns([Member(SiloStatus.Dead)]);
        _membership.RefreshAsync().Returns([Member(SiloStatus.Dead)]);

        Assert.Equal("a:x", await _silo.Grains.GetGrain<IProbeGrain>("a").EchoAsync("x"));

        Assert.NotEqual(Other, await _directory.LookupAsync(Grain));
    }

    private static MembershipEntry Member(SiloStatus status) =>
        new(Other, "other", status, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], SiloLoad.None);
}
