using GridActors.Runtime.Redis;

namespace GridActors.Runtime.Directory;

/// <summary>
/// The grain directory in Redis: one string key per grain holding its silo's address. Registering is
/// a Lua compare-and-set: it takes an empty entry or one that points at a silo known to be dead, and
/// answers with whoever holds the entry afterwards.
/// </summary>
internal sealed class RedisGrainDirectory(RedisConnection redis) : IGrainDirectory
{
    // KEYS[1] entry; ARGV: silo, dead silo ('' = none). Returns the registered silo.
    private const string RegisterScript = """
        local current = redis.call('GET', KEYS[1])
        if (not current) or (ARGV[2] ~= '' and current == ARGV[2]) then
          redis.call('SET', KEYS[1], ARGV[1])
          return ARGV[1]
        end
        return current
        """;

    // KEYS[1] entry; ARGV: silo.
    private const string UnregisterScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 1
        """;

    public async Task<SiloAddress?> LookupAsync(GrainId grainId)
    {
        var value = await redis.Database.StringGetAsync(redis.Keys.Directory(grainId));
        return value.IsNull ? null : SiloAddress.Parse(value!);
    }

    public async Task<SiloAddress> RegisterAsync(GrainId grainId, SiloAddress silo, SiloAddress? deadSilo = null)
    {
        var result = await redis.Database.ScriptEvaluateAsync(
            RegisterScript,
            [redis.Keys.Directory(grainId)],
            [silo.ToString(), deadSilo?.ToString() ?? string.Empty]);
        return SiloAddress.Parse((string)result!);
    }

    public Task UnregisterAsync(GrainId grainId, SiloAddress silo) =>
        redis.Database.ScriptEvaluateAsync(UnregisterScript, [redis.Keys.Directory(grainId)], [silo.ToString()]);
}
