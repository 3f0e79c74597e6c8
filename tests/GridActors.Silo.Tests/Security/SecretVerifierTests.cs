using GridActors.Silo.Security;
using GridActors.Testing;
using StackExchange.Redis;

namespace GridActors.Silo.Tests.Security;

public sealed class SecretVerifierTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly string _cluster = "verifier-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task TheFirstSiloStoresAVerifier_TheSameSecretMatches_AnotherDoesNot()
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var database = connection.GetDatabase();

        Assert.True(await SecretVerifier.CheckAsync(database, _cluster, new ClusterSecret("anything")));
        Assert.True(await SecretVerifier.CheckOrStoreAsync(database, _cluster, new ClusterSecret("s3cret")));

        Assert.True(await SecretVerifier.CheckOrStoreAsync(database, _cluster, new ClusterSecret("s3cret")));
        Assert.False(await SecretVerifier.CheckOrStoreAsync(database, _cluster, new ClusterSecret("guess")));
        Assert.False(await SecretVerifier.CheckAsync(database, _cluster, new ClusterSecret("guess")));
    }

    [Fact]
    public async Task TheVerifier_HoldsNeitherTheSecretNorItsKey()
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        await SecretVerifier.CheckOrStoreAsync(connection.GetDatabase(), _cluster, new ClusterSecret("s3cret-that-is-long"));

        var stored = (string)(await connection.GetDatabase().StringGetAsync(SecretVerifier.KeyOf(_cluster)))!;

        Assert.StartsWith("pbkdf2-sha256$100000$", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", stored, StringComparison.Ordinal);
    }
}
