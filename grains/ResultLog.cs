using GridActors.Grid;

namespace GridActors.Grains;

/// <summary>
/// A task's results in input order. Jobs finish in any order; readers see only the contiguous prefix
/// from their cursor, so output order never depends on which job finished first. Thread-safe: the
/// task's long-poll reads run beside its other calls.
/// </summary>
internal sealed class ResultLog(TimeProvider time, bool keepResults)
{
    private readonly object _lock = new();
    private readonly Dictionary<long, JobReport> _results = [];
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _contiguous;
    private long _trimmed;
    private long _total;
    private bool _inputComplete;
    private string? _moduleError;

    /// <summary>Results held in memory.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _results.Count;
            }
        }
    }

    /// <summary>Adds a job's report; false when its index already has one.</summary>
    public bool Add(JobReport report)
    {
        lock (_lock)
        {
            if (report.Index < _trimmed || !_results.TryAdd(report.Index, report))
            {
                return false;
            }

            if (report.ErrorKind == JobErrorKind.Module && report.Error is not null)
            {
                _moduleError ??= report.Error;
            }

            while (_results.ContainsKey(_contiguous))
            {
                _contiguous++;
            }

            Signal();
            return true;
        }
    }

    /// <summary>Records how many items the task has and whether more may come.</summary>
    public void SetInput(long total, bool complete)
    {
        lock (_lock)
        {
            _total = total;
            _inputComplete = complete;
            Signal();
        }
    }

    /// <summary>Reads results from <paramref name="cursor"/>, waiting up to <paramref name="wait"/> for the first one.</summary>
    public async Task<ResultPage> ReadAsync(long cursor, int max, TimeSpan wait)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            Task advanced;
            lock (_lock)
            {
                if (!keepResults)
                {
                    Trim(cursor);
                }

                var finished = _inputComplete && cursor >= _total;
                if (_contiguous > cursor || finished || _moduleError is not null)
                {
                    var page = new List<JobReport>((int)Math.Min(max, Math.Max(0, _contiguous - cursor)));
                    for (var i = cursor; i < _contiguous && page.Count < max; i++)
                    {
                        page.Add(_results[i]);
                    }

                    var next = cursor + page.Count;
                    return new ResultPage(page, next, _inputComplete && next >= _total, _moduleError);
                }

                advanced = _advanced.Task;
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return new ResultPage([], cursor, Finished: false, ModuleError: null);
            }

            try
            {
                await advanced.WaitAsync(left, time);
            }
            catch (TimeoutException)
            {
                return new ResultPage([], cursor, Finished: false, ModuleError: null);
            }
        }
    }

    private void Trim(long cursor)
    {
        for (; _trimmed < cursor && _trimmed < _contiguous; _trimmed++)
        {
            _results.Remove(_trimmed);
        }
    }

    private void Signal()
    {
        var advanced = _advanced;
        _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        advanced.TrySetResult();
    }
}
