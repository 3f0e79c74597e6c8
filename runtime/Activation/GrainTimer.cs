namespace GridActors.Runtime.Activation;

/// <summary>A grain timer: its ticks run as turns of the grain, and a tick is skipped while the previous one is still queued or running.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly GrainActivation _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stopped = new();
    private int _tickPending;

    public GrainTimer(GrainActivation activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _timer = activation.Runtime.TimeProvider.CreateTimer(static state => ((GrainTimer)state!).OnTick(), this, dueTime, period);
    }

    public void Dispose()
    {
        Stop();
        _activation.RemoveTimer(this);
    }

    internal void Stop()
    {
        _timer.Dispose();
        _stopped.Cancel();
    }

    private void OnTick()
    {
        if (_stopped.IsCancellationRequested || Interlocked.Exchange(ref _tickPending, 1) == 1)
        {
            return;
        }

        var queued = _activation.TryEnqueue(Message.Run(async _ =>
        {
            try
            {
                await _callback(_stopped.Token);
            }
            finally
            {
                Volatile.Write(ref _tickPending, 0);
            }
        }));
        if (!queued)
        {
            Stop();
        }
    }
}
