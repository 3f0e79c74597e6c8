using System.Text.Json;

namespace GridActors.Runtime.Redis;

/// <summary>
/// Reminders in Redis, in <see cref="RedisKeys.ReminderPartitions"/> partitions of the ring. Each
/// partition is a hash of rows and a sorted set of the same members scored by due time, so a silo
/// reads only the due reminders of the partitions it owns, a batch at a time. Changes are Lua scripts
/// on one partition, conditional on the row's ETag where the contract asks for it.
/// </summary>
internal sealed class RedisReminderTable(RedisConnection redis) : IReminderTable
{
    // KEYS: rows, due. ARGV: member, row JSON, due ms, expected etag ('' = any; '-' = must exist with any etag).
    private const string PutScript = """
        local row = redis.call('HGET', KEYS[1], ARGV[1])
        if ARGV[4] ~= '' then
          if not row then return 0 end
          if ARGV[4] ~= '-' and cjson.decode(row)['ETag'] ~= ARGV[4] then return 0 end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        return 1
        """;

    // KEYS: rows, due. ARGV: member, expected etag ('' = any).
    private const string RemoveScript = """
        local row = redis.call('HGET', KEYS[1], ARGV[1])
        if not row then return 0 end
        if ARGV[2] ~= '' and cjson.decode(row)['ETag'] ~= ARGV[2] then return 0 end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        return 1
        """;

    public async Task<string> UpsertAsync(ReminderEntry entry)
    {
        var stored = entry with { ETag = Guid.NewGuid().ToString("N") };
        await PutAsync(stored, expectedEtag: string.Empty);
        return stored.ETag;
    }

    public async Task<bool> RemoveAsync(GrainId grainId, string name, string? eTag)
    {
        var partition = RedisKeys.PartitionOf(grainId.StableHash);
        var result = await redis.Database.ScriptEvaluateAsync(
            RemoveScript,
            [redis.Keys.ReminderRows(partition), redis.Keys.ReminderDue(partition)],
            [Member(grainId, name), eTag ?? string.Empty]);
        return (long)result == 1;
    }

    public async Task<ReminderEntry?> ReadAsync(GrainId grainId, string name)
    {
        var row = await redis.Database.HashGetAsync(redis.Keys.ReminderRows(RedisKeys.PartitionOf(grainId.StableHash)), Member(grainId, name));
        return row.IsNull ? null : Parse(row!);
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(uint beginBucket, uint endBucket, DateTimeOffset dueBy, int limit)
    {
        var due = new List<ReminderEntry>();
        for (var partition = RedisKeys.PartitionOf(beginBucket); partition <= RedisKeys.PartitionOf(endBucket); partition++)
        {
            var members = await redis.Database.SortedSetRangeByScoreAsync(redis.Keys.ReminderDue(partition), double.NegativeInfinity, dueBy.ToUnixTimeMilliseconds(), take: limit);
            if (members.Length == 0)
            {
                continue;
            }

            var rows = await redis.Database.HashGetAsync(redis.Keys.ReminderRows(partition), members);
            due.AddRange(rows.Where(r => !r.IsNull).Select(r => Parse(r!)).Where(e => e.Bucket >= beginBucket && e.Bucket <= endBucket));
        }

        return [.. due.OrderBy(e => e.NextDue).Take(limit)];
    }

    public async Task<string?> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue)
    {
        var advanced = entry with { NextDue = nextDue, ETag = Guid.NewGuid().ToString("N") };
        return await PutAsync(advanced, entry.ETag) ? advanced.ETag : null;
    }

    private async Task<bool> PutAsync(ReminderEntry entry, string expectedEtag)
    {
        var partition = RedisKeys.PartitionOf(entry.Bucket);
        var result = await redis.Database.ScriptEvaluateAsync(
            PutScript,
            [redis.Keys.ReminderRows(partition), redis.Keys.ReminderDue(partition)],
            [Member(entry.GrainId, entry.Name), JsonSerializer.Serialize(entry, RuntimeJsonContext.Default.ReminderEntry), entry.NextDue.ToUnixTimeMilliseconds(), expectedEtag]);
        return (long)result == 1;
    }

    private static string Member(GrainId grainId, string name) => $"{grainId}|{name}";

    private static ReminderEntry Parse(string json) => JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.ReminderEntry)!;
}
