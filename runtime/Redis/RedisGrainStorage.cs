namespace GridActors.Runtime.Redis;

/// <summary>
/// Grain state in Redis: one hash per state record with fields "data" and "etag". Writes and clears
/// are Lua compare-and-set on the ETag, the last line of defence against two activations of a grain.
/// </summary>
internal sealed class RedisGrainStorage(RedisConnection redis) : IGrainStorage
{
    // KEYS[1] record; ARGV: expected etag ('' when no record may exist), data. Returns the new etag, or false.
    private const string WriteScript = """
        local etag = redis.call('HGET', KEYS[1], 'etag')
        if (etag or '') ~= ARGV[1] then return false end
        local next = tostring(tonumber(etag or '0') + 1)
        redis.call('HSET', KEYS[1], 'data', ARGV[2], 'etag', next)
        return next
        """;

    // KEYS[1] record; ARGV: expected etag. Returns 1, or 0 when the etag differs.
    private const string ClearScript = """
        if (redis.call('HGET', KEYS[1], 'etag') or '') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """;

    public async Task<StoredState?> ReadAsync(string stateName, GrainId grainId)
    {
        var values = await redis.Database.HashGetAsync(redis.Keys.State(stateName, grainId), ["data", "etag"]);
        return values[1].IsNull ? null : new StoredState((byte[])values[0]!, (string)values[1]!);
    }

    public async Task<string> WriteAsync(string stateName, GrainId grainId, ReadOnlyMemory<byte> data, string? expectedEtag)
    {
        var result = await redis.Database.ScriptEvaluateAsync(WriteScript, [redis.Keys.State(stateName, grainId)], [expectedEtag ?? string.Empty, data.ToArray()]);
        return result.IsNull ? throw Conflict(stateName, grainId, expectedEtag) : (string)result!;
    }

    public async Task ClearAsync(string stateName, GrainId grainId, string? expectedEtag)
    {
        var result = await redis.Database.ScriptEvaluateAsync(ClearScript, [redis.Keys.State(stateName, grainId)], [expectedEtag ?? string.Empty]);
        if ((long)result != 1)
        {
            throw Conflict(stateName, grainId, expectedEtag);
        }
    }

    private static InconsistentStateException Conflict(string stateName, GrainId grainId, string? expectedEtag) =>
        new($"State '{stateName}' of grain {grainId} is no longer at version {expectedEtag ?? "none"}: another activation wrote it.");
}
