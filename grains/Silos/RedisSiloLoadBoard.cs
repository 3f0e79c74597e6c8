using System.Collections.Frozen;
using System.Text.Json;
using GridActors.Grains.Storage;
using StackExchange.Redis;

namespace GridActors.Grains.Silos;

/// <summary>
/// The load board in Redis, beside Orleans' membership table: one hash, "{cluster}:silos", with a
/// field per silo (its Orleans address) holding the JSON of what it last published. Each silo writes
/// its own field and reads the whole hash once a second; the field of a silo that is gone is removed
/// by whichever silo notices first.
/// </summary>
internal sealed class RedisSiloLoadBoard(GridRedis redis) : ISiloLoadBoard
{
    private IReadOnlyDictionary<SiloAddress, PublishedLoad> _current = FrozenDictionary<SiloAddress, PublishedLoad>.Empty;

    public IReadOnlyDictionary<SiloAddress, PublishedLoad> Current => Volatile.Read(ref _current);

    private string BoardKey => redis.Key("silos");

    public Task PublishAsync(SiloAddress silo, PublishedLoad load) =>
        redis.Database.HashSetAsync(BoardKey, silo.ToParsableString(), JsonSerializer.SerializeToUtf8Bytes(load, SilosJsonContext.Default.PublishedLoad));

    public async Task RefreshAsync()
    {
        var fields = await redis.Database.HashGetAllAsync(BoardKey);
        var loads = new Dictionary<SiloAddress, PublishedLoad>(fields.Length);
        foreach (var field in fields)
        {
            try
            {
                if (JsonSerializer.Deserialize((byte[])field.Value!, SilosJsonContext.Default.PublishedLoad) is { } load)
                {
                    loads[SiloAddress.FromParsableString(field.Name!)] = load;
                }
            }
            catch (Exception exception) when (exception is JsonException or FormatException)
            {
                // A field this version cannot read (another version's silo): it has no say in placement.
            }
        }

        Volatile.Write(ref _current, loads.ToFrozenDictionary());
    }

    public Task RemoveAsync(IReadOnlyCollection<SiloAddress> silos) =>
        silos.Count == 0 ? Task.CompletedTask : redis.Database.HashDeleteAsync(BoardKey, [.. silos.Select(s => (RedisValue)s.ToParsableString())]);
}
