using System.Security.Cryptography;
using System.Text;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// Proves knowledge of the cluster secret without sending it: the accepting side sends a random
/// challenge, the connecting side answers HMAC-SHA256(secret, challenge).
/// </summary>
public sealed class ClusterSecret(string secret)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);

    /// <summary>A fresh random challenge.</summary>
    public static byte[] NewChallenge() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The proof for a challenge.</summary>
    public byte[] Prove(byte[] challenge) => HMACSHA256.HashData(_key, challenge);

    /// <summary>Whether a proof answers the challenge, compared in constant time.</summary>
    public bool Verify(byte[] challenge, byte[] proof) => CryptographicOperations.FixedTimeEquals(Prove(challenge), proof);
}
