namespace GridActors.Runtime.Messaging;

/// <summary>
/// Probes a silo with a plain HTTP request to its /grid endpoint: any answer (it answers 400 to
/// anything but a WebSocket) shows the process is up and serving; a refused or unanswered
/// connection does not.
/// </summary>
internal sealed class HttpSiloProber : ISiloProber, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<bool> ProbeAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://{silo.Host}:{silo.Port}/grid"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();
}
