using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NSubstitute;

namespace GridActors.Runtime.Tests.Membership;

public class MembershipTests
{
    [Fact]
    public async Task Silo_JoinsActive_PublishesItsLoad_AndLeavesDead()
    {
        var workload = Substitute.For<ISiloWorkload>();
        workload.GetWorkload().Returns((3, 5, 4));
        var silo = await TestSilo.StartAsync(services => services.AddSingleton(workload));
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var membership = silo.Services.GetRequiredService<IClusterMembership>();

        var joined = Assert.Single((await table.ReadAllAsync()).Entries).Entry;
        Assert.Equal(SiloStatus.Active, joined.Status);
        Assert.Equal(joined.Address, Assert.Single(membership.Members).Address);

        silo.Time.Advance(TimeSpan.FromSeconds(1));
        var alive = Assert.Single((await table.ReadAllAsync()).Entries).Entry;
        Assert.Equal(silo.Time.GetUtcNow(), alive.IAmAliveTime);
        Assert.Equal((3, 5, 4), (alive.Load.RunningJobs, alive.Load.QueuedJobs, alive.Load.Capacity));

        await silo.DisposeAsync();
        Assert.Equal(SiloStatus.Dead, Assert.Single((await table.ReadAllAsync()).Entries).Entry.Status);
    }

    [Fact]
    public async Task ASilo_IsJoiningWhileItStarts_AndActiveOnceItsHostHasStarted()
    {
        var startup = new ReadOwnRow(markDead: false);
        await using var silo = await TestSilo.StartAsync(services => services.AddSingleton<ISiloStartupTask>(startup.Attach));
        var table = silo.Services.GetRequiredService<IMembershipTable>();

        // Peers neither probe nor place work on a silo whose endpoint may not listen yet.
        Assert.Equal(SiloStatus.Joining, startup.During);
        Assert.Equal(SiloStatus.Active, Assert.Single((await table.ReadAllAsync()).Entries).Entry.Status);
    }

    [Fact]
    public async Task ASiloDeclaredDeadWhileItStarts_DoesNotTurnActive_AndSaysWhy()
    {
        var startup = new ReadOwnRow(markDead: true);
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => TestSilo.StartAsync(services => services.AddSingleton<ISiloStartupTask>(startup.Attach)));

        Assert.Contains("was Dead before it finished starting", failed.Message, StringComparison.Ordinal);
        Assert.Equal(SiloStatus.Dead, Assert.Single((await startup.Table!.ReadAllAsync()).Entries).Entry.Status);
    }

    [Theory]
    [InlineData(SiloStatus.Active)]
    [InlineData(SiloStatus.Joining)]
    public async Task ASilentPeer_IsDeclaredDead_AfterTheDeathTimeout_WithTheVoterNamed(SiloStatus status)
    {
        await using var silo = await TestSilo.StartAsync(_ => { });
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var peer = new SiloAddress("10.0.0.9", 11111, 1);
        var data = await table.ReadAllAsync();
        Assert.True(await table.InsertRowAsync(new MembershipEntry(peer, "peer", status, silo.Time.GetUtcNow(), silo.Time.GetUtcNow(), [], SiloLoad.None), data.Version.Next()));

        silo.Time.Advance(TimeSpan.FromSeconds(4));

        await Eventually.True(() => Status(table, peer) == SiloStatus.Dead, "the silent peer is declared Dead");
        var self = (await table.ReadAllAsync()).Entries.Select(e => e.Entry).Single(e => e.Address != peer).Address;
        Assert.Equal(self, (await table.ReadAllAsync()).Entries.Select(e => e.Entry).Single(e => e.Address == peer).Suspicions.Single().Voter);
    }

    [Fact]
    public async Task ASiloThatReadsItselfDead_Stops()
    {
        var silo = await TestSilo.StartAsync(_ => { });
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var stopping = new TaskCompletionSource();
        silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        var data = await table.ReadAllAsync();
        var (self, etag) = data.Entries.Single();

        // Peers declared it Dead while it was, say, paused by the OS.
        Assert.True(await table.UpdateRowAsync(self with { Status = SiloStatus.Dead }, etag, data.Version.Next()));
        silo.Time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.Within(stopping.Task);
        await silo.DisposeAsync();
    }

    [Fact]
    public async Task APeerThatMissesItsProbes_GetsASuspicionVote_AndIsDeclaredDead_ThoughItsIAmAliveIsFresh()
    {
        var (silo, table, peer) = await StartWithProbedPeerAsync(answers: false, seconds: 3);
        await using (silo)
        {
            await Eventually.True(() => Status(table, peer) == SiloStatus.Dead, "the peer is declared Dead by the vote");
            Assert.Single((await table.ReadAllAsync()).Entries.Select(e => e.Entry).Single(e => e.Address == peer).Suspicions);
        }
    }

    [Fact]
    public async Task APeerThatAnswersItsProbes_StaysActive()
    {
        var (silo, table, peer) = await StartWithProbedPeerAsync(answers: true, seconds: 5);
        await using (silo)
        {
            Assert.Equal(SiloStatus.Active, Status(table, peer));
            Assert.Empty((await table.ReadAllAsync()).Entries.Select(e => e.Entry).Single(e => e.Address == peer).Suspicions);
        }
    }

    [Fact]
    public async Task TheView_SaysWhenASiloJoinsOrChangesStatus_AndNotOtherwise()
    {
        await using var silo = await TestSilo.StartAsync(_ => { });
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var membership = silo.Services.GetRequiredService<IClusterMembership>();
        var changes = 0;
        membership.Changed += () => Interlocked.Increment(ref changes);

        await membership.RefreshAsync();
        Assert.Equal(0, changes);

        var peer = new SiloAddress("10.0.0.9", 11111, 1);
        Assert.True(await table.InsertRowAsync(new MembershipEntry(peer, "peer", SiloStatus.Active, silo.Time.GetUtcNow(), silo.Time.GetUtcNow(), [], SiloLoad.None), (await table.ReadAllAsync()).Version.Next()));
        await membership.RefreshAsync();
        Assert.Equal(1, changes);

        await table.UpdateIAmAliveAsync(peer, silo.Time.GetUtcNow(), new SiloLoad(50, 1, 1, 0, 1, 100));
        await membership.RefreshAsync();
        Assert.Equal(1, changes);
    }

    [Fact]
    public async Task ARowAPeerWrites_IsInTheView_AtOnce_NotAtTheNextPeriodicRead()
    {
        await using var silo = await TestSilo.StartAsync(_ => { });
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var membership = silo.Services.GetRequiredService<IClusterMembership>();
        var changed = new TaskCompletionSource();
        membership.Changed += () => changed.TrySetResult();

        // The silo's clock stands still, so its periodic read never comes: only the table's notice can tell it.
        var peer = new SiloAddress("10.0.0.9", 11111, 1);
        var data = await table.ReadAllAsync();
        Assert.True(await table.InsertRowAsync(new MembershipEntry(peer, "peer", SiloStatus.Active, silo.Time.GetUtcNow(), silo.Time.GetUtcNow(), [], SiloLoad.None), data.Version.Next()));

        await Eventually.Within(changed.Task);
        Assert.Contains(membership.Members, m => m.Address == peer);
    }

    [Fact]
    public async Task APeerThatRefusesItsFirstProbe_IsVotedDeadAtOnce()
    {
        var (silo, table, prober) = await StartWithRefusingProberAsync();
        await using var _ = silo;
        var peer = await AddActivePeerAsync(table, silo, "10.0.0.9");
        await table.UpdateIAmAliveAsync(peer, silo.Time.GetUtcNow() + TimeSpan.FromSeconds(1), SiloLoad.None);

        // One refresh, one probe: well inside the IAmAlive death timeout (3 s).
        silo.Time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.True(() => Status(table, peer) == SiloStatus.Dead, "the peer is voted Dead after one refused probe");
        Assert.Single(prober.ReceivedCalls());
    }

    [Fact]
    public async Task APeerAnotherSiloVotedAgainst_IsProbedAtOnce_AndDeclaredDeadWhenItRefuses()
    {
        var (silo, table, prober) = await StartWithRefusingProberAsync();
        await using var _ = silo;
        var now = silo.Time.GetUtcNow();
        var voter = await AddActivePeerAsync(table, silo, "10.0.0.8");
        var peer = await AddActivePeerAsync(table, silo, "10.0.0.9");

        // The other silo's vote lands in the table. The clock stands still, so no round of probes comes:
        // only the vote can send this silo to probe the peer, and its refused probe brings the second vote.
        var data = await table.ReadAllAsync();
        var (row, etag) = data.Entries.Single(e => e.Entry.Address == peer);
        Assert.True(await table.UpdateRowAsync(row with { Suspicions = [new Suspicion(voter, now)] }, etag, data.Version.Next()));

        await Eventually.True(() => Status(table, peer) == SiloStatus.Dead, "the peer is declared Dead by the second vote");
        Assert.Equal([voter, silo.Services.GetRequiredService<SiloDetails>().Address], (await table.ReadAllAsync()).Entries.Single(e => e.Entry.Address == peer).Entry.Suspicions.Select(v => v.Voter));
        await prober.Received(1).ProbeAsync(peer, Arg.Any<CancellationToken>());
        await prober.DidNotReceive().ProbeAsync(voter, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task APeerWhoseConnectionBroke_IsProbedAtOnce_NotAtTheNextRound()
    {
        var (silo, table, prober) = await StartWithRefusingProberAsync();
        await using var _ = silo;
        var peer = await AddActivePeerAsync(table, silo, "10.0.0.9");
        var membership = silo.Services.GetRequiredService<IClusterMembership>();
        await Eventually.True(() => membership.Members.Any(m => m.Address == peer), "the silo sees the peer");

        silo.Services.GetRequiredService<IPeerSuspicion>().PeerMayBeDown(peer);

        await Eventually.True(() => Status(table, peer) == SiloStatus.Dead, "the peer is voted Dead after the probe it refused");
        await prober.Received(1).ProbeAsync(peer, Arg.Any<CancellationToken>());
    }

    /// <summary>A silo whose every probe is refused: nothing listens where its peers are.</summary>
    private static async Task<(TestSilo Silo, IMembershipTable Table, ISiloProber Prober)> StartWithRefusingProberAsync()
    {
        var prober = Substitute.For<ISiloProber>();
        prober.ProbeAsync(Arg.Any<SiloAddress>(), Arg.Any<CancellationToken>()).Returns<bool>(c => throw new ProbeRefusedException($"{c.Arg<SiloAddress>()} refused the connection"));
        var silo = await TestSilo.StartAsync(services => services.AddSingleton(prober));
        return (silo, silo.Services.GetRequiredService<IMembershipTable>(), prober);
    }

    private static async Task<SiloAddress> AddActivePeerAsync(IMembershipTable table, TestSilo silo, string host)
    {
        var peer = new SiloAddress(host, 11111, 1);
        var now = silo.Time.GetUtcNow();
        Assert.True(await table.InsertRowAsync(new MembershipEntry(peer, host, SiloStatus.Active, now, now, [], SiloLoad.None), (await table.ReadAllAsync()).Version.Next()));
        return peer;
    }

    /// <summary>
    /// A silo and one peer that keeps writing IAmAlive (it reaches the table) and answers probes or
    /// not; returns once the silo has probed it every second for <paramref name="seconds"/> s.
    /// </summary>
    private static async Task<(TestSilo Silo, IMembershipTable Table, SiloAddress Peer)> StartWithProbedPeerAsync(bool answers, int seconds)
    {
        var prober = Substitute.For<ISiloProber>();
        prober.ProbeAsync(Arg.Any<SiloAddress>(), Arg.Any<CancellationToken>()).Returns(answers);
        var silo = await TestSilo.StartAsync(services => services.AddSingleton(prober));
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var peer = new SiloAddress("10.0.0.9", 11111, 1);
        Assert.True(await table.InsertRowAsync(new MembershipEntry(peer, "peer", SiloStatus.Active, silo.Time.GetUtcNow(), silo.Time.GetUtcNow(), [], SiloLoad.None), (await table.ReadAllAsync()).Version.Next()));
        for (var second = 1; second <= seconds; second++)
        {
            await table.UpdateIAmAliveAsync(peer, silo.Time.GetUtcNow() + TimeSpan.FromSeconds(1), SiloLoad.None);
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.True(() => prober.ReceivedCalls().Count() >= second, $"probe {second} was sent");
        }

        return (silo, table, peer);
    }

    private static SiloStatus Status(IMembershipTable table, SiloAddress silo) =>
        table.ReadAllAsync().GetAwaiter().GetResult().Entries.Select(e => e.Entry).Single(e => e.Address == silo).Status;

    /// <summary>A startup task that reads the silo's own row while the silo starts; it can play peers that declare the silo Dead meanwhile.</summary>
    private sealed class ReadOwnRow(bool markDead) : ISiloStartupTask
    {
        public IMembershipTable? Table { get; private set; }

        public SiloStatus? During { get; private set; }

        public ISiloStartupTask Attach(IServiceProvider services)
        {
            Table = services.GetRequiredService<IMembershipTable>();
            return this;
        }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var data = await Table!.ReadAllAsync();
            var (row, etag) = data.Entries.Single();
            During = row.Status;
            if (markDead)
            {
                Assert.True(await Table.UpdateRowAsync(row with { Status = SiloStatus.Dead }, etag, data.Version.Next()));
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
