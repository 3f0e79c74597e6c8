using System.Text.Json.Serialization;
using GridActors.Runtime;

namespace GridActors.Runtime.Tests;

[GrainType("probe")]
public interface IProbeGrain : IGrainWithStringKey
{
    Task<string> EchoAsync(string text);

    Task<int> EnterAsync(string gate);

    [AlwaysInterleave]
    Task<int> PeekAsync();

    [OneWay]
    Task NoteAsync(string text);

    Task FailAsync(string message);

    Task<int> IncrementAsync();

    Task DeactivateAsync();

    Task HangAsync();
}

[GrainType("reminded")]
public interface IRemindedGrain : IGrainWithStringKey, IRemindable
{
    Task StartAsync(int periodSeconds);

    Task StopAsync();
}

/// <summary>Records what happens to the test grains, so tests wait on events rather than on time.</summary>
public sealed class Probe
{
    private readonly object _lock = new();

    public Dictionary<string, TaskCompletionSource> Gates { get; } = [];

    public List<string> Events { get; } = [];

    public int Running;

    public int MaxRunning;

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Deactivated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> Noted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<TickStatus> Ticks { get; } = [];

    public SemaphoreSlim Ticked { get; } = new(0);

    public TaskCompletionSource Gate(string name)
    {
        lock (_lock)
        {
            if (!Gates.TryGetValue(name, out var gate))
            {
                gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Gates[name] = gate;
            }

            return gate;
        }
    }

    public void Record(string text)
    {
        lock (_lock)
        {
            Events.Add(text);
        }
    }
}

public sealed class CounterState
{
    public int Count { get; set; }
}

[JsonSerializable(typeof(CounterState))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

internal sealed class ProbeGrain(Probe probe, [PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, IProbeGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Record($"activate {GrainKey} count={counter.State.Count}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        probe.Record($"deactivate {GrainKey}");
        probe.Deactivated.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<string> EchoAsync(string text) => Task.FromResult($"{GrainKey}:{text}");

    public async Task<int> EnterAsync(string gate)
    {
        var running = Interlocked.Increment(ref probe.Running);
        probe.MaxRunning = Math.Max(probe.MaxRunning, running);
        probe.Entered.TrySetResult();
        await probe.Gate(gate).Task;
        Interlocked.Decrement(ref probe.Running);
        return running;
    }

    public Task<int> PeekAsync() => Task.FromResult(Volatile.Read(ref probe.Running));

    public Task NoteAsync(string text)
    {
        probe.Noted.TrySetResult(text);
        return Task.CompletedTask;
    }

    public Task FailAsync(string message) => throw new InvalidOperationException(message);

    public async Task<int> IncrementAsync()
    {
        counter.State.Count++;
        try
        {
            await counter.WriteStateAsync();
        }
        catch
        {
            counter.State.Count--;
            throw;
        }

        return counter.State.Count;
    }

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task HangAsync() => new TaskCompletionSource().Task;
}

internal sealed class RemindedGrain(Probe probe) : Grain, IRemindedGrain
{
    public Task StartAsync(int periodSeconds) =>
        RegisterOrUpdateReminder("tick", TimeSpan.FromSeconds(periodSeconds), TimeSpan.FromSeconds(periodSeconds));

    public Task StopAsync() => UnregisterReminder("tick");

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        lock (probe.Ticks)
        {
            probe.Ticks.Add(status);
        }

        probe.Ticked.Release();
        return Task.CompletedTask;
    }
}
