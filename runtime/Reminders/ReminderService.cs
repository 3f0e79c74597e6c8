using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Reminders;

/// <summary>
/// Registers reminders and fires those of the buckets this silo owns: every poll it reads, per owned
/// range, the reminders due by now (in batches, never the whole table), moves each to its next tick
/// and delivers the tick as a grain call to <see cref="IRemindable.ReceiveReminder"/>, wherever the grain lives. Ticks missed
/// while nobody fired them are folded into one.
/// </summary>
internal sealed partial class ReminderService(
    IReminderTable table,
    IRingRange ring,
    IGrainCallInvoker calls,
    TimeProvider timeProvider,
    IOptions<ReminderOptions> options,
    ILogger<ReminderService> logger) : IReminderRegistry, IAsyncDisposable
{
    private static readonly GrainMethod ReceiveReminder = GrainMethod.For(typeof(IRemindable).GetMethod(nameof(IRemindable.ReceiveReminder))!);
    private readonly ReminderOptions _options = options.Value;
    private ITimer? _timer;
    private int _polling;

    public async Task RegisterOrUpdateAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period)
    {
        if (period < _options.MinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"A reminder period must be at least {_options.MinimumPeriod.TotalSeconds:0.###} s.");
        }

        var start = timeProvider.GetUtcNow() + dueTime;
        await table.UpsertAsync(new ReminderEntry(grainId, name, start, period, start, ETag: string.Empty));
    }

    public Task UnregisterAsync(GrainId grainId, string name) => table.RemoveAsync(grainId, name, eTag: null);

    public void Start() =>
        _timer = timeProvider.CreateTimer(static state => _ = ((ReminderService)state!).PollAsync(), this, _options.PollInterval, _options.PollInterval);

    public ValueTask DisposeAsync()
    {
        _timer?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Fires every reminder due now in the owned ranges; returns how many ticks it delivered.</summary>
    internal async Task<int> PollAsync()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return 0;
        }

        var fired = 0;
        try
        {
            var now = timeProvider.GetUtcNow();
            foreach (var (begin, end) in ring.OwnedRanges)
            {
                IReadOnlyList<ReminderEntry> due;
                do
                {
                    due = await table.ReadDueAsync(begin, end, now, _options.BatchSize);
                    foreach (var entry in due)
                    {
                        if (await FireAsync(entry, now))
                        {
                            fired++;
                        }
                    }
                }
                while (due.Count == _options.BatchSize);
            }
        }
        catch (Exception exception)
        {
            LogPollFailed(logger, exception);
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }

        return fired;
    }

    private async Task<bool> FireAsync(ReminderEntry entry, DateTimeOffset now)
    {
        var missed = (now - entry.NextDue).Ticks / entry.Period.Ticks;
        var next = entry.NextDue + TimeSpan.FromTicks(entry.Period.Ticks * (missed + 1));
        if (await table.AdvanceAsync(entry, next) is null)
        {
            return false;
        }

        var status = new TickStatus(entry.StartAt, entry.Period, entry.NextDue);
        _ = DeliverAsync(entry, status);
        return true;
    }

    private async Task DeliverAsync(ReminderEntry entry, TickStatus status)
    {
        try
        {
            await calls.InvokeAsync(entry.GrainId, ReceiveReminder, [entry.Name, status]);
        }
        catch (Exception exception)
        {
            LogTickFailed(logger, exception, entry.Name, entry.GrainId);
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Reading due reminders failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Reminder {Name} of grain {GrainId} failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string name, GrainId grainId);
}
