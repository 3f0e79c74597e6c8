using System.IO.Pipelines;
using System.Net.Sockets;

namespace GridActors.Silo.Security;

/// <summary>
/// A client's first look at a gateway before it connects through Orleans: it reaches the silo, proves
/// the secret, and learns the grid's cluster id, so that a wrong address or a wrong secret is told at
/// once and plainly rather than as Orleans' connection retries.
/// </summary>
public static class GatewayProbe
{
    /// <summary>Probes the silo at <paramref name="host"/>:<paramref name="port"/>; returns its cluster id.</summary>
    /// <exception cref="SocketException">Nothing answers there.</exception>
    /// <exception cref="ClusterSecretException">The silo refused the secret, or is not a GridActors silo.</exception>
    public static async Task<string> ProbeAsync(string host, int port, ClusterSecret secret, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SecretHandshake.Timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var transport = new StreamPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
            return await SecretHandshake.ConnectAsync(transport, secret, SecretHandshake.Purpose.Probe, timeout.Token);
        }
        catch (OperationCanceledException exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterSecretException(HandshakeFailure.Closed, $"the silo did not finish the secret handshake within {SecretHandshake.Timeout.TotalSeconds:0} s", exception);
        }
        catch (IOException exception)
        {
            throw new ClusterSecretException(HandshakeFailure.Closed, "the connection closed during the secret handshake", exception);
        }
    }

    private sealed record StreamPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
