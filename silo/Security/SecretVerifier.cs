using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace GridActors.Silo.Security;

/// <summary>
/// A verifier of the cluster secret kept in the grid's Redis ("{cluster}:secret": PBKDF2-SHA256 of
/// the secret with a random salt), so that a silo or a --redis client with the wrong secret is told so
/// before it joins or connects, and a refused silo never writes a row into the membership table. The
/// first silo of a grid writes it. The verifier is slow to test guesses against, and Redis, which
/// holds all of the grid's data, should be guarded in any case (README: "Guarding Redis").
/// </summary>
public static class SecretVerifier
{
    private const int Iterations = 100_000;
    private const string Scheme = "pbkdf2-sha256";

    /// <summary>Whether the secret matches the grid's verifier; the first caller of a new grid stores one.</summary>
    public static async Task<bool> CheckOrStoreAsync(IDatabase redis, string clusterId, ClusterSecret secret)
    {
        var key = KeyOf(clusterId);
        var stored = await redis.StringGetAsync(key);
        if (stored.IsNull)
        {
            var salt = RandomNumberGenerator.GetBytes(16);
            var record = string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(Derive(secret, salt, Iterations)));
            if (await redis.StringSetAsync(key, record, when: When.NotExists))
            {
                return true;
            }

            stored = await redis.StringGetAsync(key);
        }

        return Matches((string)stored!, secret);
    }

    /// <summary>Whether the grid has a verifier and the secret matches it; true when it has none yet.</summary>
    public static async Task<bool> CheckAsync(IDatabase redis, string clusterId, ClusterSecret secret)
    {
        var stored = await redis.StringGetAsync(KeyOf(clusterId));
        return stored.IsNull || Matches((string)stored!, secret);
    }

    /// <summary>The key of a grid's verifier.</summary>
    public static string KeyOf(string clusterId) => clusterId + ":secret";

    private static bool Matches(string record, ClusterSecret secret)
    {
        var parts = record.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            throw new InvalidOperationException($"The grid's secret verifier in Redis is not one this version reads ('{parts[0]}').");
        }

        var expected = Convert.FromBase64String(parts[3]);
        return CryptographicOperations.FixedTimeEquals(expected, Derive(secret, Convert.FromBase64String(parts[2]), iterations));
    }

    private static byte[] Derive(ClusterSecret secret, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret.Secret), salt, iterations, HashAlgorithmName.SHA256, 32);
}
