using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;

namespace GridActors.Silo.Security;

/// <summary>
/// The silo's side of the <see cref="SecretHandshake"/> on every inbound connection, from silos and
/// from clients alike (Orleans' silo-inbound and gateway-inbound pipelines). Only a peer that proved the
/// secret reaches Orleans; any other is logged with its address and dropped, the silo unharmed.
/// </summary>
internal sealed partial class SecretAcceptorMiddleware(ClusterSecret secret, string clusterId, ILogger<SecretAcceptorMiddleware> logger) : IConnectionMiddleware
{
    public async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var remote = context.RemoteEndPoint?.ToString() ?? "an unknown address";
        SecretHandshake.Verdict verdict;
        using (var timeout = new CancellationTokenSource(SecretHandshake.Timeout))
        {
            try
            {
                verdict = await SecretHandshake.AcceptAsync(context.Transport, secret, clusterId, timeout.Token);
            }
            catch (Exception exception) when (exception is ClusterSecretException or OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException)
            {
                LogDropped(logger, remote, exception.Message);
                return;
            }

            switch (verdict)
            {
                case SecretHandshake.Verdict.Refused:
                    LogRefused(logger, remote);
                    await context.Transport.Output.FlushAsync(timeout.Token);
                    await SecretHandshake.DrainAsync(context.Transport.Input, timeout.Token);
                    return;
                case SecretHandshake.Verdict.NotAPeer:
                    LogNotAPeer(logger, remote);
                    return;
                case SecretHandshake.Verdict.Probed:
                    await SecretHandshake.DrainAsync(context.Transport.Input, timeout.Token);
                    return;
            }
        }

        await next(context);
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Refused a connection from {Remote}: it did not prove the cluster secret")]
    private static partial void LogRefused(ILogger logger, string remote);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Refused a connection from {Remote}: it did not speak GridActors' handshake (not a silo or client of this grid)")]
    private static partial void LogNotAPeer(ILogger logger, string remote);

    [LoggerMessage(EventId = 702, Level = LogLevel.Debug, Message = "Dropped a connection from {Remote} during the secret handshake: {Reason}")]
    private static partial void LogDropped(ILogger logger, string remote, string reason);
}
