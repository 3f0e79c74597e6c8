using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// This silo's channels to the other silos, one per peer, opened on first use and dropped when they
/// close. Calls a peer makes to this silo arrive on the peer's own channel to it. A channel that
/// breaks is a sign its peer may be gone: the failure detector is told, and probes the peer at once.
/// </summary>
internal sealed class SiloConnections(ClusterSecret secret, GrainCallCodec codec, IPeerSuspicion suspicion) : IAsyncDisposable
{
    private readonly IPeerSuspicion _suspicion = suspicion;
    private int _disposed;

    private readonly ConcurrentDictionary<SiloAddress, Lazy<Task<WireChannel>>> _channels = new();

    public async Task<WireChannel> GetAsync(SiloAddress silo)
    {
        var entry = _channels.GetOrAdd(silo, s => new Lazy<Task<WireChannel>>(() => ConnectAsync(s)));
        try
        {
            var channel = await entry.Value;
            if (!channel.Completion.IsCompleted)
            {
                return channel;
            }
        }
        catch (Exception exception) when (exception is WebSocketException or HttpRequestException or UnauthorizedAccessException or OperationCanceledException)
        {
            _channels.TryRemove(new KeyValuePair<SiloAddress, Lazy<Task<WireChannel>>>(silo, entry));
            throw new GrainCallException($"Silo {silo} cannot be reached: {exception.Message}", exception);
        }

        _channels.TryRemove(new KeyValuePair<SiloAddress, Lazy<Task<WireChannel>>>(silo, entry));
        throw new GrainCallException($"The connection to silo {silo} closed.");
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, 1);
        foreach (var entry in _channels.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully))
        {
            await entry.Value.Result.DisposeAsync();
        }
    }

    private async Task<WireChannel> ConnectAsync(SiloAddress silo)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(new Uri($"ws://{silo.Host}:{silo.Port}/grid"), timeout.Token);
        var channel = await WireChannel.ConnectAsync(socket, secret, codec, _ => Task.FromResult<WireMessage?>(null), timeout.Token);
        _ = channel.Completion.ContinueWith(
            static (_, state) =>
            {
                var (self, peer) = ((SiloConnections, SiloAddress))state!;
                if (Volatile.Read(ref self._disposed) == 0)
                {
                    self._suspicion.PeerMayBeDown(peer);
                }
            },
            (this, silo),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return channel;
    }
}
