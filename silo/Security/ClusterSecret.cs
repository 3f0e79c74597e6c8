using System.Security.Cryptography;
using System.Text;

namespace GridActors.Silo.Security;

/// <summary>
/// The grid's shared secret, as a key: HKDF-SHA256 of the secret the user gives. The secret itself
/// never leaves the process; peers prove they know it with HMACs over fresh nonces
/// (<see cref="SecretHandshake"/>), and Redis keeps only a slow verifier of it (<see cref="SecretVerifier"/>).
/// </summary>
public sealed class ClusterSecret
{
    private static readonly byte[] Info = "GridActors cluster secret v1"u8.ToArray();
    private readonly byte[] _key;

    /// <param name="secret">The cluster secret; not empty.</param>
    public ClusterSecret(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Secret = secret;
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Info);
    }

    /// <summary>The secret as given, for the slow verifier in Redis.</summary>
    internal string Secret { get; }

    /// <summary>HMAC-SHA256 under the key of the parts, in order.</summary>
    internal byte[] Sign(params ReadOnlySpan<byte[]> parts)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        foreach (var part in parts)
        {
            hmac.AppendData(part);
        }

        return hmac.GetHashAndReset();
    }
}
