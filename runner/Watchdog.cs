namespace GridActors.Runner;

/// <summary>
/// Interrupts the running job's engine at its time limit. An interruption that lands after the job
/// ended is withdrawn, so it never stops the next job.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private Engines.TaskEngine? _engine;
    private bool _fired;

    public Watchdog() => _timer = new Timer(static state => ((Watchdog)state!).Fire(), this, Timeout.Infinite, Timeout.Infinite);

    public void Arm(Engines.TaskEngine engine, TimeSpan timeout)
    {
        lock (_lock)
        {
            _engine = engine;
            _fired = false;
        }

        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    public void Disarm()
    {
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        lock (_lock)
        {
            if (_fired)
            {
                _engine?.CancelInterrupt();
            }

            _engine = null;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Fire()
    {
        lock (_lock)
        {
            if (_engine is null)
            {
                return;
            }

            _fired = true;
            _engine.Interrupt();
        }
    }
}
