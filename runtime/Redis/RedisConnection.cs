using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GridActors.Runtime.Redis;

/// <summary>
/// The silo's one connection to Redis, multiplexed by every provider. It connects on first use and
/// reconnects by itself after Redis restarts (abortConnect=false); calls made while Redis is away fail
/// and are retried by their callers' own schedules (IAmAlive, reminder polls, grain calls).
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        var settings = options.Value;
        Keys = new RedisKeys(settings.ClusterId);
        _multiplexer = new Lazy<ConnectionMultiplexer>(() =>
        {
            var configuration = ConfigurationOptions.Parse(settings.Configuration);
            configuration.AbortOnConnectFail = false;
            configuration.ConnectRetry = 3;
            configuration.ConnectTimeout = 5000;
            configuration.SyncTimeout = 5000;
            return ConnectionMultiplexer.Connect(configuration);
        });
    }

    /// <summary>The key names of this cluster.</summary>
    public RedisKeys Keys { get; }

    /// <summary>The database.</summary>
    public IDatabase Database => _multiplexer.Value.GetDatabase();

    /// <summary>Publish and subscribe, on the same connection.</summary>
    public ISubscriber Subscriber => _multiplexer.Value.GetSubscriber();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            // By now the silo has written its last row; waiting for stragglers would only hold the stop up.
            _multiplexer.Value.Close(allowCommandsToComplete: false);
            _multiplexer.Value.Dispose();
        }
    }
}
