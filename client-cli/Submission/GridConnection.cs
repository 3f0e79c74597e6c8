using System.Net;
using System.Net.Sockets;
using GridActors.Grains.Storage;
using GridActors.Silo.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Messaging;
using StackExchange.Redis;

namespace GridActors.Cli.Submission;

/// <summary>
/// A client's connection to a grid through one gateway silo: an Orleans <see cref="IClusterClient"/>
/// with that silo as its only gateway, every connection opened with the cluster secret's handshake.
/// Before the client starts, a probe reaches the silo, proves the secret and learns the grid's cluster
/// id, so that a wrong address or secret is said at once, in a line a user can act on.
/// </summary>
internal sealed class GridConnection : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConnectionWatch _watch;

    private GridConnection(IHost host, ConnectionWatch watch, string gateway)
    {
        _host = host;
        _watch = watch;
        Gateway = gateway;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Gives references to the grid's grains.</summary>
    public IClusterClient Client { get; }

    /// <summary>The gateway silo's address, HOST:PORT.</summary>
    public string Gateway { get; }

    /// <summary>
    /// Completes when the connection to the gateway closes. Orleans' client leaves the calls that were
    /// on their way through it to time out (30 s); a caller that waits on this too knows at once.
    /// </summary>
    public Task Lost => _watch.Lost;

    /// <summary>Connects to the silo at HOST:PORT.</summary>
    /// <exception cref="GridUnreachableException">Nothing answers there, or it is not a silo of this grid.</exception>
    /// <exception cref="UnauthorizedAccessException">The silo refused the secret.</exception>
    public static async Task<GridConnection> ConnectAsync(string gateway, string secret, CancellationToken cancellationToken)
    {
        var (host, port) = Parse(gateway);
        var clusterSecret = new ClusterSecret(secret);
        string clusterId;
        try
        {
            clusterId = await GatewayProbe.ProbeAsync(host, port, clusterSecret, cancellationToken);
        }
        catch (SocketException exception)
        {
            throw new GridUnreachableException($"cannot reach the grid at {gateway} ({exception.Message}). Check the address, and that a silo runs there (grid silo).", exception);
        }
        catch (ClusterSecretException exception) when (exception.Failure == HandshakeFailure.Refused)
        {
            throw new UnauthorizedAccessException(RefusedMessage, exception);
        }
        catch (ClusterSecretException exception)
        {
            throw new GridUnreachableException($"the silo at {gateway} could not be connected to: {exception.Message}.", exception);
        }

        var endpoint = new IPEndPoint((await Dns.GetHostAddressesAsync(host, cancellationToken)).First(a => a.AddressFamily == AddressFamily.InterNetwork || a.AddressFamily == AddressFamily.InterNetworkV6), port);
        var watch = new ConnectionWatch();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            client.UseStaticClustering(endpoint);
            client.AddClusterConnectionStatusObserver(watch);
            client.Configure<ClientConnectionOptions>(o => o.ConfigureConnection(b => b.UseMiddleware(new SecretConnectorMiddleware(clusterSecret))));

            // The probe has just reached the silo: should Orleans' own connection fail after all, the
            // caller decides what to do, not a retry loop of its own.
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
        });
        var app = builder.Build();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            app.Dispose();
            throw new GridUnreachableException($"the silo at {gateway} dropped the connection as it opened ({exception.GetBaseException().Message}).", exception);
        }

        return new GridConnection(app, watch, gateway);
    }

    /// <summary>
    /// The gateways of the live silos of a grid, from Orleans' membership table in its Redis, after
    /// checking the secret against the grid's verifier there.
    /// </summary>
    /// <exception cref="GridUnreachableException">Redis cannot be reached, or no silo of the grid is Active.</exception>
    /// <exception cref="UnauthorizedAccessException">The grid's silos use another secret.</exception>
    public static async Task<IReadOnlyList<string>> GatewaysAsync(string redis, string clusterId, string secret)
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = GridRedis.Parse(redis);
        }
        catch (ArgumentException exception)
        {
            throw new GridUnreachableException($"--redis {redis} is not a Redis address: {exception.Message}. Give HOST:PORT, or a configuration such as HOST:PORT,password=...", exception);
        }

        using var grid = new GridRedis(redis, clusterId);
        var where = grid.Describe();
        try
        {
            if (!await SecretVerifier.CheckAsync(grid.Database, clusterId, new ClusterSecret(secret)))
            {
                throw new UnauthorizedAccessException(RefusedMessage);
            }

            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = clusterId;
                });
                client.UseRedisClustering(o =>
                {
                    o.ConfigurationOptions = configuration;
                    o.CreateMultiplexer = _ => Task.FromResult((grid.Multiplexer, true));
                });
            });
            using var reader = builder.Build();
            var provider = reader.Services.GetRequiredService<IGatewayListProvider>();
            await provider.InitializeGatewayListProvider();
            var gateways = (await provider.GetGateways()).Select(uri => $"{uri.Host}:{uri.Port}").Distinct(StringComparer.Ordinal).ToList();
            if (gateways.Count == 0)
            {
                throw new GridUnreachableException($"no live silo of cluster '{clusterId}' is in Redis at {where}. Start one with: grid silo --redis {where}");
            }

            return gateways;
        }
        catch (Exception exception) when (exception is RedisException || exception.GetBaseException() is RedisException)
        {
            throw new GridUnreachableException($"cannot reach Redis at {where} ({exception.GetBaseException().Message}). Check the address given with --redis.", exception);
        }
    }

    /// <summary>Whether the gateway still accepts connections (a silo that is gone refuses them, or does not answer).</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        var (host, port) = Parse(Gateway);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is SocketException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _host.StopAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or OrleansException)
        {
            // A gateway that is gone cannot be said goodbye to.
        }

        _host.Dispose();
    }

    /// <summary>The message for a refused secret, as users see it.</summary>
    public const string RefusedMessage = "The grid refused the cluster secret. Give the grid's secret with --secret or GRIDACTORS_SECRET.";

    private static (string Host, int Port) Parse(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new GridUnreachableException($"cannot reach the grid at {gateway}: give the silo's address as HOST:PORT, such as 127.0.0.1:11111.");
        }

        return (gateway[..colon].Trim('[', ']'), port);
    }
}

/// <summary>Hears from Orleans' client when its one gateway's connection closes.</summary>
internal sealed class ConnectionWatch : IClusterConnectionStatusObserver
{
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Lost => _lost.Task;

    public void NotifyClusterConnectionLost() => _lost.TrySetResult();

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways == 0)
        {
            _lost.TrySetResult();
        }
    }
}

/// <summary>The grid cannot be reached: no silo answers, or Redis does not.</summary>
internal sealed class GridUnreachableException(string message, Exception? innerException = null) : Exception(message, innerException);
