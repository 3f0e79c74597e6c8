using StackExchange.Redis;

namespace GridActors.Grains.Storage;

/// <summary>
/// A silo's one connection to the grid's Redis, shared by Orleans' Redis providers (membership,
/// reminders, grain state) and the grid's own stores (task items and results, silo loads, the
/// secret's verifier). It connects on first use and reconnects by itself after Redis restarts
/// (abortConnect=false); calls made while Redis is away fail, and their callers try again.
/// </summary>
public sealed class GridRedis : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    /// <param name="configuration">A StackExchange.Redis configuration string: HOST:PORT, optionally with ",password=...,ssl=true" and the like.</param>
    /// <param name="clusterId">The cluster id: the prefix of the grid's own keys.</param>
    public GridRedis(string configuration, string clusterId)
    {
        Options = Parse(configuration);
        ClusterId = clusterId;
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(Options.Clone()));
    }

    /// <summary>The cluster id.</summary>
    public string ClusterId { get; }

    /// <summary>The parsed configuration.</summary>
    public ConfigurationOptions Options { get; }

    /// <summary>The connection, made on first use.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    /// <summary>The database.</summary>
    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>Where Redis is, for messages: its endpoints, never its password.</summary>
    public string Describe() => Describe(Options);

    /// <summary>The key of one of the grid's own records: the cluster id, a colon, the name.</summary>
    public string Key(string name) => string.Concat(ClusterId, ":", name);

    /// <summary>Parses a configuration string with the settings a grid needs: connect in the background, retry, 5 s timeouts.</summary>
    /// <exception cref="ArgumentException">The string is not a Redis configuration.</exception>
    public static ConfigurationOptions Parse(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 3;
        options.ConnectTimeout = 5000;
        options.SyncTimeout = 5000;
        options.AsyncTimeout = 5000;
        return options;
    }

    /// <summary>The endpoints of a configuration, for messages: "127.0.0.1:6379".</summary>
    public static string Describe(ConfigurationOptions options) =>
        options.EndPoints.Count == 0 ? "(no endpoint)" : string.Join(',', options.EndPoints.Select(Format));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            // By now the silo has written its last record; waiting for stragglers would only hold the stop up.
            _multiplexer.Value.Close(allowCommandsToComplete: false);
            _multiplexer.Value.Dispose();
        }
    }

    private static string Format(System.Net.EndPoint endpoint) => endpoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        System.Net.IPEndPoint ip => ip.ToString(),
        _ => endpoint.ToString() ?? string.Empty,
    };
}
