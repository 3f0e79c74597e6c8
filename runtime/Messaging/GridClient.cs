using System.Net.WebSockets;
using GridActors.Grid;
using GridActors.Runtime.Persistence;
using GridActors.Runtime.Redis;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// A client's connection to a grid through one gateway silo: grain calls go over an authenticated
/// WebSocket to the silo's /grid endpoint.
/// </summary>
public sealed class GridClient : IAsyncDisposable
{
    private readonly WireChannel _channel;

    private GridClient(WireChannel channel, string gateway)
    {
        _channel = channel;
        Gateway = gateway;
        var registry = new GrainTypeRegistry([]);
        Grains = new GrainFactory(registry, new RemoteGrainCallInvoker(channel));
    }

    /// <summary>Gives references to the grid's grains.</summary>
    public IGrainFactory Grains { get; }

    /// <summary>The gateway silo's address, HOST:PORT.</summary>
    public string Gateway { get; }

    /// <summary>Whether the connection to the gateway is still up.</summary>
    public bool IsConnected => _channel.IsOpen;

    /// <summary>Connects to the silo at HOST:PORT.</summary>
    /// <exception cref="GridUnreachableException">Nothing answers there.</exception>
    /// <exception cref="UnauthorizedAccessException">The silo refused the secret.</exception>
    public static async Task<GridClient> ConnectAsync(string gateway, string secret, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{gateway}/grid"), cancellationToken);
        }
        catch (Exception exception) when (exception is WebSocketException or HttpRequestException or UriFormatException)
        {
            socket.Dispose();
            throw new GridUnreachableException($"cannot reach the grid at {gateway} ({exception.GetBaseException().Message}). Check the address, and that a silo runs there (grid silo).", exception);
        }

        var codec = new GrainCallCodec(Options.Create(ClientContracts()));
        try
        {
            var channel = await WireChannel.ConnectAsync(socket, new ClusterSecret(secret), codec, _ => Task.FromResult<WireMessage?>(null), cancellationToken);
            return new GridClient(channel, gateway);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new GridUnreachableException($"the silo at {gateway} dropped the connection during the handshake ({exception.GetBaseException().Message}).", exception);
        }
        catch (UnauthorizedAccessException)
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Finds the live silos of a cluster in its Redis membership table and connects to the first that answers.</summary>
    /// <exception cref="GridUnreachableException">Redis cannot be reached, or no live silo answers.</exception>
    public static async Task<GridClient> ConnectThroughRedisAsync(string redis, string clusterId, string secret, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<MembershipEntry> live;
        using (var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = redis, ClusterId = clusterId })))
        {
            MembershipTableData table;
            try
            {
                table = await new RedisMembershipTable(connection).ReadAllAsync();
            }
            catch (Exception exception) when (exception is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException)
            {
                throw new GridUnreachableException($"cannot reach Redis at {redis} ({exception.Message}). Check the address given with --redis.", exception);
            }

            var now = time.GetUtcNow();
            live = [.. table.Entries.Select(e => e.Entry)
                .Where(e => e.Status == SiloStatus.Active && now - e.IAmAliveTime < TimeSpan.FromSeconds(10))
                .OrderByDescending(e => e.IAmAliveTime)];
        }

        if (live.Count == 0)
        {
            throw new GridUnreachableException($"no live silo of cluster '{clusterId}' is in Redis at {redis}. Start one with: grid silo --redis {redis}");
        }

        GridUnreachableException? last = null;
        foreach (var silo in live)
        {
            try
            {
                return await ConnectAsync($"{silo.Address.Host}:{silo.Address.Port}", secret, cancellationToken);
            }
            catch (GridUnreachableException exception)
            {
                last = exception;
            }
        }

        throw last!;
    }

    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    private static SerializationOptions ClientContracts()
    {
        var contracts = new SerializationOptions();
        contracts.Resolvers.Add(PrimitivesJsonContext.Default);
        contracts.Resolvers.Add(GridJsonContext.Default);
        return contracts;
    }
}

/// <summary>The grid cannot be reached: no silo answers, or Redis does not.</summary>
public sealed class GridUnreachableException(string message, Exception? innerException = null) : Exception(message, innerException);
