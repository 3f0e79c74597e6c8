using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;

namespace GridActors.Silo.Security;

/// <summary>
/// The challenge on the cluster secret that opens every connection to a silo (from another silo or a
/// client), before Orleans' own protocol. Each side sends a fresh 32-byte nonce; the side that
/// connected proves the secret first, with an HMAC over both nonces and the grid's cluster id; the
/// silo checks it and only then proves the secret in turn, or refuses. The secret never crosses the
/// wire, a stranger learns nothing it could test guesses against, and a recorded handshake cannot be
/// replayed (the silo's nonce is new each time). A probe (a client learning the grid's cluster id and
/// checking its secret before it connects for real) ends after the proofs.
/// </summary>
/// <remarks>
/// Connector: "GRIDACT1", purpose (1 byte), nonce (32). Acceptor: "GRIDACT1", nonce (32), cluster id
/// length (1) and cluster id (UTF-8). Connector: HMAC("connector", purpose, its nonce, the acceptor's,
/// cluster id). Acceptor: 1 and HMAC("acceptor", its nonce, the connector's, cluster id), or 0: refused.
/// </remarks>
public static class SecretHandshake
{
    /// <summary>How long a handshake may take before the connection is dropped.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private const int NonceLength = 32;
    private const int ProofLength = 32;
    private static readonly byte[] Magic = "GRIDACT1"u8.ToArray();
    private static readonly byte[] ConnectorRole = "connector"u8.ToArray();
    private static readonly byte[] AcceptorRole = "acceptor"u8.ToArray();

    /// <summary>What a connection is for.</summary>
    public enum Purpose : byte
    {
        /// <summary>Orleans' protocol follows.</summary>
        Connect = 0,

        /// <summary>The connection ends after the handshake.</summary>
        Probe = 1,
    }

    /// <summary>What the silo side made of a connection.</summary>
    public enum Verdict
    {
        /// <summary>The peer proved the secret and connects: Orleans' protocol follows.</summary>
        Accepted,

        /// <summary>The peer proved the secret and only probed: the connection ends.</summary>
        Probed,

        /// <summary>The peer's proof was wrong: refused.</summary>
        Refused,

        /// <summary>The peer does not speak the handshake: dropped.</summary>
        NotAPeer,
    }

    /// <summary>Runs the connecting side; returns the cluster id the silo gave.</summary>
    /// <exception cref="ClusterSecretException">The silo refused, or is not one of the grid's silos.</exception>
    public static async Task<string> ConnectAsync(IDuplexPipe transport, ClusterSecret secret, Purpose purpose, CancellationToken cancellationToken)
    {
        var ours = RandomNumberGenerator.GetBytes(NonceLength);
        await transport.Output.WriteAsync(Bytes([.. Magic, (byte)purpose, .. ours]), cancellationToken);

        var hello = await ReadAsync(transport.Input, Magic.Length + NonceLength + 1, cancellationToken);
        if (!hello.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ClusterSecretException(HandshakeFailure.NotAGridSilo, "it did not answer as a GridActors silo");
        }

        var theirs = hello[Magic.Length..(Magic.Length + NonceLength)];
        var clusterId = await ReadAsync(transport.Input, hello[^1], cancellationToken);
        await transport.Output.WriteAsync(secret.Sign(ConnectorRole, [(byte)purpose], ours, theirs, clusterId), cancellationToken);

        var verdict = await ReadAsync(transport.Input, 1, cancellationToken);
        if (verdict[0] != 1)
        {
            throw new ClusterSecretException(HandshakeFailure.Refused, "the silo refused the cluster secret");
        }

        var proof = await ReadAsync(transport.Input, ProofLength, cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(proof, secret.Sign(AcceptorRole, theirs, ours, clusterId)))
        {
            throw new ClusterSecretException(HandshakeFailure.WrongPeer, "the silo proved another cluster secret: it is not one of this grid's silos");
        }

        return Encoding.UTF8.GetString(clusterId);
    }

    /// <summary>Runs the silo's side for the grid <paramref name="clusterId"/>.</summary>
    public static async Task<Verdict> AcceptAsync(IDuplexPipe transport, ClusterSecret secret, string clusterId, CancellationToken cancellationToken)
    {
        var ours = RandomNumberGenerator.GetBytes(NonceLength);
        var cluster = Encoding.UTF8.GetBytes(clusterId);
        if (cluster.Length > byte.MaxValue)
        {
            throw new ArgumentException($"The cluster id '{clusterId}' is longer than 255 bytes.", nameof(clusterId));
        }

        await transport.Output.WriteAsync(Bytes([.. Magic, .. ours, (byte)cluster.Length, .. cluster]), cancellationToken);

        // The magic first, on its own: anything else (an HTTP request, a port scan) is told apart at
        // its first bytes, without waiting for more.
        byte[] hello;
        try
        {
            if (!(await ReadAsync(transport.Input, Magic.Length, cancellationToken)).AsSpan().SequenceEqual(Magic))
            {
                return Verdict.NotAPeer;
            }

            hello = [.. Magic, .. await ReadAsync(transport.Input, 1 + NonceLength, cancellationToken)];
        }
        catch (ClusterSecretException)
        {
            return Verdict.NotAPeer;
        }

        if (hello[Magic.Length] > (byte)Purpose.Probe)
        {
            return Verdict.NotAPeer;
        }

        var purpose = hello[Magic.Length];
        var theirs = hello[(Magic.Length + 1)..];
        var proof = await ReadAsync(transport.Input, ProofLength, cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(proof, secret.Sign(ConnectorRole, [purpose], theirs, ours, cluster)))
        {
            await transport.Output.WriteAsync(new byte[] { 0 }, cancellationToken);
            return Verdict.Refused;
        }

        await transport.Output.WriteAsync(Bytes([1, .. secret.Sign(AcceptorRole, ours, theirs, cluster)]), cancellationToken);
        return purpose == (byte)Purpose.Probe ? Verdict.Probed : Verdict.Accepted;
    }

    /// <summary>Waits, a little, for the peer to close its side, so that a refusal written last reaches it before the close.</summary>
    public static async Task DrainAsync(PipeReader input, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            // Closed, reset or timed out: either way the refusal has had its chance.
        }
    }

    private static ReadOnlyMemory<byte> Bytes(byte[] bytes) => bytes;

    private static async Task<byte[]> ReadAsync(PipeReader reader, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                var bytes = buffer.Slice(0, count).ToArray();
                reader.AdvanceTo(buffer.GetPosition(count));
                return bytes;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new ClusterSecretException(HandshakeFailure.Closed, "the connection closed during the secret handshake");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
