using Microsoft.AspNetCore.Connections;
using Orleans.Runtime.Messaging;

namespace GridActors.Silo.Security;

/// <summary>
/// The connecting side of the <see cref="SecretHandshake"/> on every outbound connection: a silo's to
/// its peers, and a client's to its gateway. A silo that does not prove the same secret is not talked to.
/// </summary>
public sealed class SecretConnectorMiddleware(ClusterSecret secret) : IConnectionMiddleware
{
    public async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        using (var timeout = new CancellationTokenSource(SecretHandshake.Timeout))
        {
            try
            {
                await SecretHandshake.ConnectAsync(context.Transport, secret, SecretHandshake.Purpose.Connect, timeout.Token);
            }
            catch (OperationCanceledException exception) when (timeout.IsCancellationRequested)
            {
                throw new ClusterSecretException(HandshakeFailure.Closed, $"the silo at {context.RemoteEndPoint} did not finish the secret handshake within {SecretHandshake.Timeout.TotalSeconds:0} s", exception);
            }
        }

        await next(context);
    }
}
