using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace GridActors.Runtime.Redis;

/// <summary>
/// The membership table in one Redis hash. Fields: "version" (the table version), "row:ADDRESS" (the
/// row as JSON), "etag:ADDRESS", and "alive:ADDRESS" (IAmAlive time and load). Inserts and updates are
/// Lua scripts that check the version (and the row's ETag) and move the version by one, as Orleans'
/// Redis clustering does; IAmAlive is a plain HSET of its own field, so it never races a status change.
/// Each row write also publishes the new version on the pub/sub channel "CLUSTER:membership:changed",
/// from inside the same script, so readers hear of a write that succeeded and of no other.
/// </summary>
internal sealed class RedisMembershipTable(RedisConnection redis) : IMembershipTable, IMembershipChangeFeed
{
    // KEYS[1] table; ARGV: expected version, address, row JSON, new etag, expected row etag ('' to insert), channel.
    private const string WriteScript = """
        local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
        if version + 1 ~= tonumber(ARGV[1]) then return 0 end
        local etag = redis.call('HGET', KEYS[1], 'etag:' .. ARGV[2])
        if ARGV[5] == '' then
          if etag then return 0 end
        elseif etag ~= ARGV[5] then
          return 0
        end
        redis.call('HSET', KEYS[1], 'version', ARGV[1], 'row:' .. ARGV[2], ARGV[3], 'etag:' .. ARGV[2], ARGV[4])
        redis.call('PUBLISH', ARGV[6], ARGV[1])
        return 1
        """;

    public async Task<MembershipTableData> ReadAllAsync()
    {
        var fields = await redis.Database.HashGetAllAsync(redis.Keys.Membership);
        var values = fields.ToDictionary(f => (string)f.Name!, f => (string)f.Value!, StringComparer.Ordinal);
        var version = values.TryGetValue("version", out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : 0;
        var rows = new List<(MembershipEntry, string)>();
        foreach (var (name, json) in values.Where(p => p.Key.StartsWith("row:", StringComparison.Ordinal)))
        {
            var address = name[4..];
            var entry = JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.MembershipEntry)!;
            if (values.TryGetValue("alive:" + address, out var aliveJson))
            {
                var alive = JsonSerializer.Deserialize(aliveJson, RuntimeJsonContext.Default.SiloAlive)!;
                if (alive.Time > entry.IAmAliveTime)
                {
                    entry = entry with { IAmAliveTime = alive.Time, Load = alive.Load };
                }
            }

            rows.Add((entry, values["etag:" + address]));
        }

        return new MembershipTableData(rows, new TableVersion(version, version.ToString(CultureInfo.InvariantCulture)));
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion expectedVersion) => WriteAsync(entry, expectedEtag: string.Empty, expectedVersion);

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion expectedVersion) => WriteAsync(entry, etag, expectedVersion);

    public Task UpdateIAmAliveAsync(SiloAddress address, DateTimeOffset time, SiloLoad load) =>
        redis.Database.HashSetAsync(redis.Keys.Membership, "alive:" + address, JsonSerializer.Serialize(new SiloAlive(time, load), RuntimeJsonContext.Default.SiloAlive));

    private async Task<bool> WriteAsync(MembershipEntry entry, string expectedEtag, TableVersion expectedVersion)
    {
        var result = await redis.Database.ScriptEvaluateAsync(
            WriteScript,
            [redis.Keys.Membership],
            [
                expectedVersion.Version,
                entry.Address.ToString(),
                JsonSerializer.Serialize(entry, RuntimeJsonContext.Default.MembershipEntry),
                Guid.NewGuid().ToString("N"),
                expectedEtag,
                redis.Keys.MembershipChanges,
            ]);
        return (long)result == 1;
    }

    public async Task<IAsyncDisposable> SubscribeAsync(Action<int> changed)
    {
        // The multiplexer subscribes again by itself after a reconnect; notices sent meanwhile are lost,
        // which the readers' periodic reads cover.
        Action<RedisChannel, RedisValue> handler = (_, version) => changed((int)version);
        var subscriber = redis.Subscriber;
        await subscriber.SubscribeAsync(redis.Keys.MembershipChanges, handler);
        return new Subscription(subscriber, redis.Keys.MembershipChanges, handler);
    }

    private sealed class Subscription(ISubscriber subscriber, string channel, Action<RedisChannel, RedisValue> handler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await subscriber.UnsubscribeAsync(channel, handler);
    }
}
