using GridActors.Grains.Storage;
using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>
/// A task's results in input order, as its readers see them. The results themselves are in the
/// <see cref="ITaskStore"/>; this log knows how far they run without a gap, keeps the freshest ones
/// in memory so a reader that keeps up never waits on the store, and wakes readers when the prefix
/// grows. A new activation starts from the watermark its task last saved and catches up from the
/// store, so reports it never heard of (they went to an activation that died) are still found.
/// Thread-safe: the task's long-poll reads run beside its other calls.
/// </summary>
internal sealed partial class ResultLog
{
    /// <summary>The most read-ahead results kept in memory; beyond it readers go to the store.</summary>
    internal const int CacheLimit = 65_536;

    private static readonly TimeSpan CatchUpPeriod = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private readonly ITaskStore _store;
    private readonly string _taskId;
    private readonly TimeProvider _time;
    private readonly bool _keepResults;

    // Results at or past _contiguous that are known to be stored: reports can arrive in any order.
    private readonly Dictionary<long, JobReport> _ahead = [];

    // Results below _contiguous not yet handed to a reader.
    private readonly Dictionary<long, JobReport> _cache = [];
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _contiguous;
    private long _forgottenBelow;
    private long _total;
    private bool _inputComplete;
    private bool _cancelled;
    private string? _moduleError;
    private long _lastCatchUp = long.MinValue;

    /// <param name="store">Where the results are.</param>
    /// <param name="taskId">The task.</param>
    /// <param name="time">The clock for waits.</param>
    /// <param name="keepResults">Keep results after they are read; without it they are forgotten once the reader moves past them.</param>
    /// <param name="contiguous">Every index below this one is known to have a result.</param>
    public ResultLog(ITaskStore store, string taskId, TimeProvider time, bool keepResults, long contiguous = 0)
    {
        _store = store;
        _taskId = taskId;
        _time = time;
        _keepResults = keepResults;
        _contiguous = contiguous;
        _forgottenBelow = keepResults ? 0 : contiguous;
    }

    /// <summary>Every index below this one has a stored result.</summary>
    public long Contiguous
    {
        get
        {
            lock (_lock)
            {
                return _contiguous;
            }
        }
    }

    /// <summary>Results held in memory.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _ahead.Count + _cache.Count;
            }
        }
    }

    /// <summary>Whether the index is known to have a stored result.</summary>
    public bool Has(long index)
    {
        lock (_lock)
        {
            return index < _contiguous || _ahead.ContainsKey(index);
        }
    }

    /// <summary>Takes note of a stored result; false when it was known already.</summary>
    public bool Add(JobReport report)
    {
        lock (_lock)
        {
            if (report.Index < _contiguous || !_ahead.TryAdd(report.Index, report))
            {
                return false;
            }

            if (report.ErrorKind == JobErrorKind.Module && report.Error is not null)
            {
                // A module that cannot load ends the reading at once, whatever the order of reports.
                _moduleError ??= report.Error;
            }

            Advance();
            return true;
        }
    }

    /// <summary>Records how many items the task has, whether more may come, and whether its module failed to load.</summary>
    public void SetInput(long total, bool complete, string? moduleError = null)
    {
        lock (_lock)
        {
            _total = total;
            _inputComplete = complete;
            _moduleError ??= moduleError;
            Signal();
        }
    }

    /// <summary>The task was cancelled with <paramref name="total"/> items: the items with no result read as cancelled.</summary>
    public void Cancel(long total)
    {
        lock (_lock)
        {
            _total = total;
            _inputComplete = true;
            _cancelled = true;
            Signal();
        }
    }

    /// <summary>Reads results from <paramref name="cursor"/>, waiting up to <paramref name="wait"/> for the first one.</summary>
    public async Task<ResultPage> ReadAsync(long cursor, int max, TimeSpan wait)
    {
        var deadline = _time.GetUtcNow() + wait;
        await ForgetBelowAsync(cursor);
        while (true)
        {
            Task advanced;
            long end;
            var page = new List<JobReport>();
            lock (_lock)
            {
                end = Math.Min(_contiguous, cursor + max);
                for (var index = cursor; index < end && _cache.Remove(index, out var report); index++)
                {
                    page.Add(report);
                }

                if (end <= cursor && (_moduleError is not null || (_inputComplete && cursor >= _total)))
                {
                    return Page(page, cursor);
                }

                advanced = _advanced.Task;
            }

            if (end <= cursor && _cancelled)
            {
                return await ReadCancelledAsync(cursor, (int)Math.Min(max, _total - cursor));
            }

            if (end > cursor)
            {
                // What memory lacks (read before, or past the cache) is in the store.
                var from = cursor + page.Count;
                if (from < end)
                {
                    var stored = await _store.ReadResultsAsync(_taskId, from, (int)(end - from));
                    page.AddRange(stored.TakeWhile(r => r is not null)!);
                }

                lock (_lock)
                {
                    return Page(page, cursor);
                }
            }

            if (await CatchUpAsync())
            {
                continue;
            }

            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return new ResultPage([], cursor, Finished: false, ModuleError: null);
            }

            try
            {
                // Wake at least once per catch-up period: a report may have gone to an activation that died.
                await advanced.WaitAsync(left < CatchUpPeriod ? left : CatchUpPeriod, _time);
            }
            catch (TimeoutException)
            {
                // Look again, in memory and then in the store.
            }
        }
    }

    // Moves reports from the front of _ahead into the prefix. Called under the lock.
    private void Advance()
    {
        var before = _contiguous;
        while (_ahead.Remove(_contiguous, out var report))
        {
            if (report.ErrorKind == JobErrorKind.Module && report.Error is not null)
            {
                _moduleError ??= report.Error;
            }

            if (_cache.Count < CacheLimit)
            {
                _cache[_contiguous] = report;
            }

            _contiguous++;
        }

        if (_contiguous > before || _moduleError is not null)
        {
            Signal();
        }
    }

    private void Signal()
    {
        var advanced = _advanced;
        _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        advanced.TrySetResult();
    }
}
