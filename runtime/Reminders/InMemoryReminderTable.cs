using System.Globalization;

namespace GridActors.Runtime.Reminders;

/// <summary>Reminders in this process's memory, indexed by due time as the durable providers are.</summary>
internal sealed class InMemoryReminderTable : IReminderTable
{
    private readonly object _lock = new();
    private readonly Dictionary<(GrainId Grain, string Name), ReminderEntry> _rows = [];
    private readonly SortedSet<(DateTimeOffset Due, GrainId Grain, string Name)> _byDue = new(DueOrder.Instance);
    private long _version;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _rows.Count;
            }
        }
    }

    public Task<string> UpsertAsync(ReminderEntry entry)
    {
        lock (_lock)
        {
            RemoveRow(entry.GrainId, entry.Name);
            var stored = entry with { ETag = NextETag() };
            _rows[(entry.GrainId, entry.Name)] = stored;
            _byDue.Add((stored.NextDue, stored.GrainId, stored.Name));
            return Task.FromResult(stored.ETag);
        }
    }

    public Task<bool> RemoveAsync(GrainId grainId, string name, string? eTag)
    {
        lock (_lock)
        {
            if (!_rows.TryGetValue((grainId, name), out var row) || (eTag is not null && row.ETag != eTag))
            {
                return Task.FromResult(false);
            }

            RemoveRow(grainId, name);
            return Task.FromResult(true);
        }
    }

    public Task<ReminderEntry?> ReadAsync(GrainId grainId, string name)
    {
        lock (_lock)
        {
            return Task.FromResult(_rows.TryGetValue((grainId, name), out var row) ? row : null);
        }
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(uint beginBucket, uint endBucket, DateTimeOffset dueBy, int limit)
    {
        lock (_lock)
        {
            var due = new List<ReminderEntry>();
            foreach (var (when, grain, name) in _byDue)
            {
                if (when > dueBy || due.Count == limit)
                {
                    break;
                }

                var bucket = grain.StableHash;
                if (bucket >= beginBucket && bucket <= endBucket)
                {
                    due.Add(_rows[(grain, name)]);
                }
            }

            return Task.FromResult<IReadOnlyList<ReminderEntry>>(due);
        }
    }

    public Task<string?> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue)
    {
        lock (_lock)
        {
            if (!_rows.TryGetValue((entry.GrainId, entry.Name), out var row) || row.ETag != entry.ETag)
            {
                return Task.FromResult<string?>(null);
            }

            RemoveRow(entry.GrainId, entry.Name);
            var advanced = row with { NextDue = nextDue, ETag = NextETag() };
            _rows[(entry.GrainId, entry.Name)] = advanced;
            _byDue.Add((nextDue, entry.GrainId, entry.Name));
            return Task.FromResult<string?>(advanced.ETag);
        }
    }

    private void RemoveRow(GrainId grainId, string name)
    {
        if (_rows.Remove((grainId, name), out var old))
        {
            _byDue.Remove((old.NextDue, grainId, name));
        }
    }

    private string NextETag() => (++_version).ToString(CultureInfo.InvariantCulture);

    private sealed class DueOrder : IComparer<(DateTimeOffset Due, GrainId Grain, string Name)>
    {
        public static readonly DueOrder Instance = new();

        public int Compare((DateTimeOffset Due, GrainId Grain, string Name) x, (DateTimeOffset Due, GrainId Grain, string Name) y)
        {
            var byDue = x.Due.CompareTo(y.Due);
            if (byDue != 0)
            {
                return byDue;
            }

            var byType = string.CompareOrdinal(x.Grain.Type, y.Grain.Type);
            if (byType != 0)
            {
                return byType;
            }

            var byKey = string.CompareOrdinal(x.Grain.Key, y.Grain.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(x.Name, y.Name);
        }
    }
}
