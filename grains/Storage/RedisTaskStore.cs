using System.Globalization;
using System.Text.Json;
using GridActors.Grid;
using StackExchange.Redis;

namespace GridActors.Grains.Storage;

/// <summary>
/// The task store in Redis. A task has three hashes under one hash tag, so every script touches a
/// single slot of a Redis Cluster: "items" (index to item, only while the item has no result),
/// "results" (index to the JSON report) and "meta" (the done and failed counts, and the index below
/// which results were read for good and forgotten). The list of tasks is a sorted set, "tasks", of
/// task ids scored by their creation time in Unix milliseconds.
/// </summary>
internal sealed class RedisTaskStore(GridRedis redis) : ITaskStore
{
    // KEYS: items, results, meta. ARGV: first index, then the items. Items that already have a result,
    // or that were forgotten, are not stored again: a retried batch cannot bring back finished work.
    private const string AddItemsScript = """
        local forgotten = tonumber(redis.call('HGET', KEYS[3], 'forgotten') or '0')
        local first = tonumber(ARGV[1])
        for i = 2, #ARGV do
          local index = first + i - 2
          local field = string.format('%d', index)
          if index >= forgotten and redis.call('HEXISTS', KEYS[2], field) == 0 then
            redis.call('HSET', KEYS[1], field, ARGV[i])
          end
        end
        return 1
        """;

    // KEYS: items, results, meta. ARGV: triples of index, report, 'done' or 'failed'. Returns, per
    // report, 1 when it was stored and 0 when its index had a result already (or was forgotten).
    private const string AddResultsScript = """
        local forgotten = tonumber(redis.call('HGET', KEYS[3], 'forgotten') or '0')
        local stored = {}
        local done, failed = 0, 0
        for i = 1, #ARGV, 3 do
          local ok = 0
          if tonumber(ARGV[i]) >= forgotten and redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then
            redis.call('HDEL', KEYS[1], ARGV[i])
            if ARGV[i + 2] == 'done' then done = done + 1 else failed = failed + 1 end
            ok = 1
          end
          stored[#stored + 1] = ok
        end
        if done > 0 then redis.call('HINCRBY', KEYS[3], 'done', done) end
        if failed > 0 then redis.call('HINCRBY', KEYS[3], 'failed', failed) end
        return stored
        """;

    // KEYS: items, results, meta. ARGV: from, below.
    private const string ForgetScript = """
        local from, below = tonumber(ARGV[1]), tonumber(ARGV[2])
        local chunk = {}
        for index = from, below - 1 do
          chunk[#chunk + 1] = string.format('%d', index)
          if #chunk == 1000 or index == below - 1 then
            redis.call('HDEL', KEYS[1], unpack(chunk))
            redis.call('HDEL', KEYS[2], unpack(chunk))
            chunk = {}
          end
        end
        if below > tonumber(redis.call('HGET', KEYS[3], 'forgotten') or '0') then
          redis.call('HSET', KEYS[3], 'forgotten', string.format('%d', below))
        end
        return 1
        """;

    private const string DeleteScript = "return redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3])";

    public Task AddItemsAsync(string taskId, long firstIndex, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        var arguments = new RedisValue[items.Count + 1];
        arguments[0] = firstIndex;
        for (var i = 0; i < items.Count; i++)
        {
            arguments[i + 1] = items[i];
        }

        return redis.Database.ScriptEvaluateAsync(AddItemsScript, Keys(taskId), arguments);
    }

    public async Task<IReadOnlyList<(long Index, string Item)>> ReadItemsAsync(string taskId, long from, int count)
    {
        var values = await redis.Database.HashGetAsync(ItemsKey(taskId), Fields(from, count));
        var found = new List<(long, string)>();
        for (var i = 0; i < values.Length; i++)
        {
            if (!values[i].IsNull)
            {
                found.Add((from + i, (string)values[i]!));
            }
        }

        return found;
    }

    public async Task<IReadOnlyList<bool>> AddResultsAsync(string taskId, IReadOnlyList<JobReport> reports)
    {
        if (reports.Count == 0)
        {
            return [];
        }

        var arguments = new RedisValue[reports.Count * 3];
        for (var i = 0; i < reports.Count; i++)
        {
            var report = reports[i];
            arguments[3 * i] = report.Index;
            arguments[(3 * i) + 1] = JsonSerializer.SerializeToUtf8Bytes(report, GridJsonContext.Default.JobReport);
            arguments[(3 * i) + 2] = report.Error is null ? "done" : "failed";
        }

        var stored = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(AddResultsScript, Keys(taskId), arguments))!;
        return [.. stored.Select(r => (long)r == 1)];
    }

    public async Task<IReadOnlyList<JobReport?>> ReadResultsAsync(string taskId, long from, int count)
    {
        var values = await redis.Database.HashGetAsync(ResultsKey(taskId), Fields(from, count));
        var page = new JobReport?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            page[i] = values[i].IsNull ? null : JsonSerializer.Deserialize((byte[])values[i]!, GridJsonContext.Default.JobReport);
        }

        return page;
    }

    public async Task<ResultCounts> CountAsync(string taskId)
    {
        var values = await redis.Database.HashGetAsync(MetaKey(taskId), ["done", "failed"]);
        return new ResultCounts(values[0].IsNull ? 0 : (long)values[0], values[1].IsNull ? 0 : (long)values[1]);
    }

    public Task ForgetAsync(string taskId, long from, long below) =>
        below <= from ? Task.CompletedTask : redis.Database.ScriptEvaluateAsync(ForgetScript, Keys(taskId), [from, below]);

    public Task RegisterAsync(string taskId, DateTimeOffset created) =>
        redis.Database.SortedSetAddAsync(TasksKey, taskId, created.ToUnixTimeMilliseconds(), When.NotExists);

    public async Task<IReadOnlyList<string>> ListAsync() =>
        [.. (await redis.Database.SortedSetRangeByRankAsync(TasksKey)).Select(v => (string)v!)];

    public async Task DeleteAsync(string taskId)
    {
        await redis.Database.ScriptEvaluateAsync(DeleteScript, Keys(taskId));
        await redis.Database.SortedSetRemoveAsync(TasksKey, taskId);
    }

    private string TasksKey => redis.Key("tasks");

    private static RedisValue[] Fields(long from, int count)
    {
        var fields = new RedisValue[count];
        for (var i = 0; i < count; i++)
        {
            fields[i] = from + i;
        }

        return fields;
    }

    private RedisKey[] Keys(string taskId) => [ItemsKey(taskId), ResultsKey(taskId), MetaKey(taskId)];

    private string ItemsKey(string taskId) => Key(taskId, "items");

    private string ResultsKey(string taskId) => Key(taskId, "results");

    private string MetaKey(string taskId) => Key(taskId, "meta");

    private string Key(string taskId, string part) => string.Create(CultureInfo.InvariantCulture, $"{redis.ClusterId}:task:{{{taskId}}}:{part}");
}
