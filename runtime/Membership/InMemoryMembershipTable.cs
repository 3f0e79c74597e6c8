using System.Collections.Immutable;
using System.Globalization;

namespace GridActors.Runtime.Membership;

/// <summary>The membership table in this process's memory, with the version rules of the durable providers.</summary>
internal sealed class InMemoryMembershipTable : IMembershipTable, IMembershipChangeFeed
{
    private readonly object _lock = new();
    private ImmutableList<Action<int>> _subscribers = [];
    private readonly Dictionary<SiloAddress, (MembershipEntry Entry, string ETag)> _rows = [];
    private TableVersion _version = new(0, "0");
    private long _etags;

    public Task<MembershipTableData> ReadAllAsync()
    {
        lock (_lock)
        {
            return Task.FromResult(new MembershipTableData([.. _rows.Values], _version));
        }
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion expectedVersion)
    {
        lock (_lock)
        {
            if (expectedVersion.Version != _version.Version + 1 || _rows.ContainsKey(entry.Address))
            {
                return Task.FromResult(false);
            }

            _rows[entry.Address] = (entry, NextETag());
            _version = new TableVersion(expectedVersion.Version, NextETag());
        }

        Announce(expectedVersion.Version);
        return Task.FromResult(true);
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion expectedVersion)
    {
        lock (_lock)
        {
            if (expectedVersion.Version != _version.Version + 1
                || !_rows.TryGetValue(entry.Address, out var row)
                || row.ETag != etag)
            {
                return Task.FromResult(false);
            }

            _rows[entry.Address] = (entry, NextETag());
            _version = new TableVersion(expectedVersion.Version, NextETag());
        }

        Announce(expectedVersion.Version);
        return Task.FromResult(true);
    }

    public Task UpdateIAmAliveAsync(SiloAddress address, DateTimeOffset time, SiloLoad load)
    {
        lock (_lock)
        {
            if (_rows.TryGetValue(address, out var row))
            {
                // IAmAlive is unconditional and leaves the row's ETag alone, so it never races a status change.
                _rows[address] = (row.Entry with { IAmAliveTime = time, Load = load }, row.ETag);
            }

            return Task.CompletedTask;
        }
    }

    public Task<IAsyncDisposable> SubscribeAsync(Action<int> changed)
    {
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(changed));
        return Task.FromResult<IAsyncDisposable>(new Subscription(this, changed));
    }

    private void Announce(int version)
    {
        foreach (var changed in Volatile.Read(ref _subscribers))
        {
            changed(version);
        }
    }

    private sealed class Subscription(InMemoryMembershipTable table, Action<int> changed) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            ImmutableInterlocked.Update(ref table._subscribers, list => list.Remove(changed));
            return ValueTask.CompletedTask;
        }
    }

    private string NextETag() => (++_etags).ToString(CultureInfo.InvariantCulture);
}
