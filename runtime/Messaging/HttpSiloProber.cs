namespace GridActors.Runtime.Messaging;

/// <summary>
/// Probes a silo with a plain HTTP request to its /grid endpoint: any answer (it answers 400 to
/// anything but a WebSocket) shows the process is up and serving; an unanswered connection does not,
/// and a refused one shows nothing listens there any more.
/// </summary>
internal sealed class HttpSiloProber : ISiloProber, IDisposable
{
    // A fresh connection for every probe: over a kept-alive one, a killed peer shows as a reset
    // connection (one missed probe) before a new connection can be refused (proof it is gone).
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<bool> ProbeAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{silo.Host}:{silo.Port}/grid"));
            request.Headers.ConnectionClose = true;
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return true;
        }
        catch (HttpRequestException exception) when (exception.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
        {
            throw new ProbeRefusedException($"{silo.Host}:{silo.Port} refused the connection", exception);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();
}
