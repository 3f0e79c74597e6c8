using GridActors.Runtime.Activation;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GridActors.Runtime.Tests.Activation;

public class ActivationTests
{
    [Fact]
    public async Task Call_ReturnsTheGrainsResult()
    {
        await using var silo = await RuntimeFixture.StartAsync(new Probe());
        Assert.Equal("a:hello", await silo.Grains.GetGrain<IProbeGrain>("a").EchoAsync("hello"));
    }

    [Fact]
    public async Task References_EachCallTheirOwnGrain()
    {
        // References are copies of one proxy per interface: each must keep its own key.
        await using var silo = await RuntimeFixture.StartAsync(new Probe());
        var references = Enumerable.Range(0, 3).Select(i => silo.Grains.GetGrain<IProbeGrain>($"k{i}")).ToArray();

        Assert.Equal(["k0:x", "k1:x", "k2:x"], await Task.WhenAll(references.Select(r => r.EchoAsync("x"))));
        Assert.Equal(1, await references[1].IncrementAsync());
        Assert.Equal(1, await references[2].IncrementAsync());
        Assert.Equal(2, await silo.Grains.GetGrain<IProbeGrain>("k1").IncrementAsync());
    }

    [Fact]
    public async Task Call_IsTracedAndCounted()
    {
        await using var silo = await RuntimeFixture.StartAsync(new Probe());
        using var metrics = new MeterRecorder(silo.Services.GetRequiredService<Diagnostics.GridTelemetry>().Meter);
        var spans = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "GridActors",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("gridactors.grain") as string == "probe/traced")
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        await silo.Grains.GetGrain<IProbeGrain>("traced").EchoAsync("x");
        await silo.Grains.GetGrain<IProbeGrain>("traced").EchoAsync("y");

        Assert.Equal(2, metrics["gridactors.grain.calls"]);
        Assert.Equal(["IProbeGrain.EchoAsync", "IProbeGrain.EchoAsync"], spans.Select(s => s.OperationName));
    }

    [Fact]
    public async Task Calls_RunOneAtATime()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        var grain = silo.Grains.GetGrain<IProbeGrain>("a");

        var first = grain.EnterAsync("first");
        await Eventually.Within(probe.Entered.Task);
        var second = grain.EnterAsync("second");

        // The second call waits for the first turn to end, however long it awaits.
        Assert.Equal(1, await grain.PeekAsync());
        probe.Gate("second").SetResult();
        probe.Gate("first").SetResult();
        Assert.Equal(1, await Eventually.Within(first));
        Assert.Equal(1, await Eventually.Within(second));
        Assert.Equal(1, probe.MaxRunning);
    }

    [Fact]
    public async Task AlwaysInterleave_RunsBesideABlockedTurn()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        var grain = silo.Grains.GetGrain<IProbeGrain>("a");

        var blocked = grain.EnterAsync("held");
        await Eventually.Within(probe.Entered.Task);

        Assert.Equal(1, await Eventually.Within(grain.PeekAsync()));
        Assert.False(blocked.IsCompleted);
        probe.Gate("held").SetResult();
        await Eventually.Within(blocked);
    }

    [Fact]
    public async Task OneWay_ReturnsWithoutWaitingForTheTurn()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        var grain = silo.Grains.GetGrain<IProbeGrain>("a");
        var blocked = grain.EnterAsync("held");
        await Eventually.Within(probe.Entered.Task);

        var sent = grain.NoteAsync("later");

        Assert.True(sent.IsCompletedSuccessfully);
        Assert.False(probe.Noted.Task.IsCompleted);
        probe.Gate("held").SetResult();
        Assert.Equal("later", await Eventually.Within(probe.Noted.Task));
        await blocked;
    }

    [Fact]
    public async Task GrainException_ReachesTheCaller()
    {
        await using var silo = await RuntimeFixture.StartAsync(new Probe());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Grains.GetGrain<IProbeGrain>("a").FailAsync("no"));
        Assert.Equal("no", error.Message);
    }

    [Fact]
    public async Task Call_ThatNeverAnswers_TimesOut()
    {
        await using var silo = await RuntimeFixture.StartAsync(new Probe());
        var hang = silo.Grains.GetGrain<IProbeGrain>("a").HangAsync();

        silo.Time.Advance(TimeSpan.FromSeconds(31));

        var error = await Assert.ThrowsAsync<GrainCallException>(() => Eventually.Within(hang));
        Assert.Equal("IProbeGrain.HangAsync on grain probe/a did not answer within 30 s.", error.Message);
    }

    [Fact]
    public async Task IdleActivation_IsCollected_AndTheNextCallReactivatesItWithItsState()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        var grain = silo.Grains.GetGrain<IProbeGrain>("a");
        Assert.Equal(1, await grain.IncrementAsync());
        var catalog = silo.Services.GetRequiredService<Catalog>();

        silo.Time.Advance(TimeSpan.FromMinutes(3));
        await Eventually.Within(probe.Deactivated.Task);

        Assert.False(catalog.TryGet(new GrainId("probe", "a"), out _));
        Assert.Equal(2, await grain.IncrementAsync());
        Assert.Equal(["activate a count=0", "deactivate a", "activate a count=1"], probe.Events);
    }

    [Fact]
    public async Task DeactivateOnIdle_LetsTheNextCallFindANewActivation()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        var grain = silo.Grains.GetGrain<IProbeGrain>("a");
        await grain.IncrementAsync();

        await grain.DeactivateAsync();
        await Eventually.Within(probe.Deactivated.Task);

        Assert.Equal(2, await grain.IncrementAsync());
        Assert.Equal(["activate a count=0", "deactivate a", "activate a count=1"], probe.Events);
    }

    [Fact]
    public async Task UnknownGrainType_FailsTheCallWithAClearMessage()
    {
        await using var silo = await TestSilo.StartAsync(_ => { });
        var error = await Assert.ThrowsAsync<GrainCallException>(() => silo.Grains.GetGrain<IProbeGrain>("a").EchoAsync("x"));
        Assert.Contains("No grain class implements grain type 'probe'", error.Message, StringComparison.Ordinal);
    }
}
