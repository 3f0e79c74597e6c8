namespace GridActors.Runtime.Redis;

/// <summary>Where a grid keeps its shared state in Redis.</summary>
public sealed class RedisOptions
{
    /// <summary>The Redis server, as HOST:PORT or a StackExchange.Redis configuration string. Required.</summary>
    public string Configuration { get; set; } = string.Empty;

    /// <summary>The cluster id: the prefix of every key, so several grids can share one Redis. Default: "grid".</summary>
    public string ClusterId { get; set; } = "grid";
}
