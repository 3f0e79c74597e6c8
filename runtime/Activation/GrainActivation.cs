using Microsoft.Extensions.Logging;

namespace GridActors.Runtime.Activation;

/// <summary>
/// One activation of a grain: the instance and its mailbox. Calls run one at a time, each to the end
/// of its task (turn-based, non-reentrant), except [AlwaysInterleave] calls, which run at once.
/// </summary>
internal sealed partial class GrainActivation
{
    private readonly object _lock = new();
    private readonly Queue<Message> _queue = new();
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _predecessor;
    private ActivationStatus _status = ActivationStatus.Creating;
    private bool _loopRunning;
    private bool _deactivateRequested;
    private int _interleavedRunning;
    private long _lastUsed;
    private Grain? _grain;

    public GrainActivation(GrainId grainId, SiloRuntime runtime, Task predecessor)
    {
        GrainId = grainId;
        Runtime = runtime;
        _predecessor = predecessor;
        _lastUsed = runtime.TimeProvider.GetTimestamp();
    }

    public GrainId GrainId { get; }

    public SiloRuntime Runtime { get; }

    /// <summary>Completes when the activation has fully deactivated (or failed to activate).</summary>
    public Task Deactivated => _deactivated.Task;

    public ActivationStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    /// <summary>Queues a message. False when the activation is going away: look the grain up again.</summary>
    public bool TryEnqueue(Message message)
    {
        bool runInterleaved = false;
        lock (_lock)
        {
            if (_status >= ActivationStatus.Deactivating)
            {
                return false;
            }

            _lastUsed = Runtime.TimeProvider.GetTimestamp();
            if (message.Interleave && _status == ActivationStatus.Valid)
            {
                _interleavedRunning++;
                runInterleaved = true;
            }
            else
            {
                _queue.Enqueue(message);
                if (_loopRunning)
                {
                    return true;
                }

                _loopRunning = true;
            }
        }

        if (runInterleaved)
        {
            _ = RunInterleavedAsync(message);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.RunLoopAsync(), this, preferLocal: false);
        }

        return true;
    }

    /// <summary>Deactivates once the mailbox is empty.</summary>
    public void DeactivateOnIdle()
    {
        lock (_lock)
        {
            _deactivateRequested = true;
            if (_loopRunning || _status != ActivationStatus.Valid)
            {
                return;
            }

            _loopRunning = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.RunLoopAsync(), this, preferLocal: false);
    }

    /// <summary>Whether nothing ran or waited here since <paramref name="cutoffTimestamp"/>.</summary>
    public bool IsIdleSince(long cutoffTimestamp)
    {
        lock (_lock)
        {
            return _status == ActivationStatus.Valid && !_loopRunning && _interleavedRunning == 0 && _queue.Count == 0 && _lastUsed < cutoffTimestamp;
        }
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private async Task RunLoopAsync()
    {
        if (Status == ActivationStatus.Creating && !await ActivateAsync())
        {
            return;
        }

        while (true)
        {
            Message? message;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out message))
                {
                    if (_deactivateRequested && _interleavedRunning == 0)
                    {
                        _status = ActivationStatus.Deactivating;
                        Runtime.Catalog.OnDeactivating(this);
                        break;
                    }

                    _loopRunning = false;
                    return;
                }

                if (message.Interleave)
                {
                    _interleavedRunning++;
                }
            }

            if (message.Interleave)
            {
                _ = RunInterleavedAsync(message);
                continue;
            }

            await RunTurnAsync(message);
        }

        await DeactivateCoreAsync();
    }

    private async Task<bool> ActivateAsync()
    {
        try
        {
            await _predecessor;
            var grainClass = Runtime.Registry.ClassOf(GrainId);
            var states = new object[grainClass.StateParameters.Count];
            for (var i = 0; i < states.Length; i++)
            {
                var state = Runtime.States.Create(GrainId, grainClass.StateParameters[i]);
                await state.ReadStateAsync();
                states[i] = state;
            }

            var grain = grainClass.Create(Runtime.Services, states);
            grain.Activation = this;
            _grain = grain;
            await grain.OnActivateAsync(CancellationToken.None);
            List<Message> interleaved;
            lock (_lock)
            {
                _status = ActivationStatus.Valid;
                interleaved = [.. _queue.Where(m => m.Interleave)];
                if (interleaved.Count > 0)
                {
                    var rest = _queue.Where(m => !m.Interleave).ToArray();
                    _queue.Clear();
                    foreach (var message in rest)
                    {
                        _queue.Enqueue(message);
                    }

                    _interleavedRunning += interleaved.Count;
                }
            }

            foreach (var message in interleaved)
            {
                _ = RunInterleavedAsync(message);
            }

            return true;
        }
        catch (Exception exception)
        {
            LogActivationFailed(Runtime.Logger, exception, GrainId);
            Message[] failed;
            lock (_lock)
            {
                _status = ActivationStatus.Invalid;
                failed = [.. _queue];
                _queue.Clear();
                _loopRunning = false;
                Runtime.Catalog.OnDeactivating(this);
            }

            var error = new GrainCallException($"Activating grain {GrainId} failed: {exception.Message}", exception);
            foreach (var message in failed)
            {
                message.Completion?.TrySetException(error);
            }

            Runtime.Catalog.OnDeactivated(this);
            _deactivated.TrySetResult();
            return false;
        }
    }

    private async Task RunTurnAsync(Message message)
    {
        try
        {
            var task = message.Execute(_grain!);
            await task;
            message.Complete(task);
        }
        catch (Exception exception)
        {
            if (message.Completion is null)
            {
                LogOneWayFailed(Runtime.Logger, exception, message.Name, GrainId);
            }
            else
            {
                message.Completion.TrySetException(exception);
            }
        }
        finally
        {
            Volatile.Write(ref _lastUsed, Runtime.TimeProvider.GetTimestamp());
        }
    }

    private async Task RunInterleavedAsync(Message message)
    {
        try
        {
            await RunTurnAsync(message);
        }
        finally
        {
            bool resumeForDeactivation;
            lock (_lock)
            {
                _interleavedRunning--;
                resumeForDeactivation = _interleavedRunning == 0 && _deactivateRequested && !_loopRunning && _status == ActivationStatus.Valid;
                if (resumeForDeactivation)
                {
                    _loopRunning = true;
                }
            }

            if (resumeForDeactivation)
            {
                _ = RunLoopAsync();
            }
        }
    }

    private async Task DeactivateCoreAsync()
    {
        GrainTimer[] timers;
        lock (_lock)
        {
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Stop();
        }

        try
        {
            await _grain!.OnDeactivateAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogDeactivationFailed(Runtime.Logger, exception, GrainId);
        }
        finally
        {
            lock (_lock)
            {
                _status = ActivationStatus.Invalid;
                _loopRunning = false;
            }

            Runtime.Catalog.OnDeactivated(this);
            _deactivated.TrySetResult();
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Activating grain {GrainId} failed")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "One-way call {Method} on grain {GrainId} failed")]
    private static partial void LogOneWayFailed(ILogger logger, Exception exception, string method, GrainId grainId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Deactivating grain {GrainId} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, Exception exception, GrainId grainId);
}
