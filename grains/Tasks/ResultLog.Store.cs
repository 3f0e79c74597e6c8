using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>The result log's dealings with the task store: pages past a cancelled task's end, catching up on reports other activations stored, and forgetting what readers have passed.</summary>
internal sealed partial class ResultLog
{
    /// <summary>Past a cancelled task's last result without a gap: the stored results, and "cancelled" for the items that have none.</summary>
    private async Task<ResultPage> ReadCancelledAsync(long cursor, int count)
    {
        var stored = await _store.ReadResultsAsync(_taskId, cursor, count);
        var items = (await _store.ReadItemsAsync(_taskId, cursor, count)).ToDictionary(i => i.Index, i => i.Item);
        var page = new List<JobReport>(count);
        for (var i = 0; i < count; i++)
        {
            var index = cursor + i;
            page.Add(stored[i] ?? new JobReport(index, items.GetValueOrDefault(index, "null"), null, "cancelled before it ran to the end", JobErrorKind.Cancelled));
        }

        lock (_lock)
        {
            return Page(page, cursor);
        }
    }

    private ResultPage Page(List<JobReport> page, long cursor)
    {
        var next = cursor + page.Count;
        _moduleError ??= page.FirstOrDefault(r => r.ErrorKind == JobErrorKind.Module && r.Error is not null)?.Error;
        return new ResultPage(page, next, _inputComplete && next >= _total, _moduleError);
    }

    /// <summary>
    /// Looks in the store for results past the known prefix, at most once per catch-up period.
    /// True when the prefix grew.
    /// </summary>
    private async Task<bool> CatchUpAsync()
    {
        long from;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_lastCatchUp != long.MinValue && _time.GetElapsedTime(_lastCatchUp, now) < CatchUpPeriod)
            {
                return false;
            }

            _lastCatchUp = now;
            from = _contiguous;
        }

        var grew = false;
        while (true)
        {
            var stored = await _store.ReadResultsAsync(_taskId, from, 1024);
            lock (_lock)
            {
                if (_contiguous != from)
                {
                    // Reports moved the prefix meanwhile; the next wait starts from there.
                    return true;
                }

                foreach (var report in stored.TakeWhile(r => r is not null))
                {
                    _ahead.TryAdd(report!.Index, report);
                }

                var before = _contiguous;
                Advance();
                grew |= _contiguous > before;
                if (_contiguous < from + stored.Count)
                {
                    return grew;
                }

                from = _contiguous;
            }
        }
    }

    private async Task ForgetBelowAsync(long cursor)
    {
        if (_keepResults)
        {
            return;
        }

        long from, below;
        lock (_lock)
        {
            if (cursor > _contiguous)
            {
                // A reader from before this activation: what it has read was forgotten in the store,
                // so the prefix cannot be found there; its cursor vouches for it.
                foreach (var index in _ahead.Keys.Where(k => k < cursor).ToList())
                {
                    _ahead.Remove(index);
                }

                _contiguous = cursor;
                Advance();
            }

            // A reader that asks from its cursor has consumed everything before it.
            from = _forgottenBelow;
            below = Math.Min(cursor, _contiguous);
            if (below <= from)
            {
                return;
            }

            _forgottenBelow = below;
            for (var index = from; index < below; index++)
            {
                _cache.Remove(index);
            }
        }

        await _store.ForgetAsync(_taskId, from, below);
    }
}
