using GridActors.Runtime.Redis;
using GridActors.Testing;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Tests.Redis;

/// <summary>One redis-server for the Redis tests; each test gets its own cluster id, so tests never see each other's keys.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";

    public static RedisConnection Connect(RedisServer server, string? clusterId = null) =>
        new(Options.Create(new RedisOptions { Configuration = server.Address, ClusterId = clusterId ?? "test-" + Guid.NewGuid().ToString("N")[..8] }));
}
