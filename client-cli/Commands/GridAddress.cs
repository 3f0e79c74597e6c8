using System.CommandLine;
using GridActors.Cli.Config;

namespace GridActors.Cli.Commands;

/// <summary>The options that say which grid to talk to, shared by the commands, and how they meet the environment and the config file.</summary>
internal static class GridAddress
{
    public const string SecretVariable = GridConfig.SecretVariable;

    public const string DefaultCluster = "grid";

    public static Option<string?> Grid(string description) => new("--grid") { Description = description, HelpName = "HOST:PORT" };

    public static Option<string?> Redis(string description) => new("--redis") { Description = description, HelpName = "HOST:PORT" };

    public static Option<string?> Secret() => new("--secret")
    {
        Description = $"The grid's cluster secret; every connection proves it without sending it. Default: ${SecretVariable}, or \"secret\" in the config file.",
        HelpName = "SECRET",
    };

    public static Option<string?> Cluster() => new("--cluster")
    {
        Description = $"The cluster id: the prefix of the grid's keys in Redis. Default: ${GridConfig.ClusterVariable}, \"cluster\" in the config file, or \"{DefaultCluster}\".",
        HelpName = "ID",
    };

    /// <summary>
    /// The grid the command talks to: the flags, else the environment, else the config file. Either
    /// address given on the command line replaces both addresses from elsewhere.
    /// </summary>
    public static GridTarget Resolve(GridConfig config, string? grid, string? redis, string? secret, string? cluster)
    {
        var flagged = grid is not null || redis is not null;
        return new GridTarget(
            flagged ? grid : config.Grid,
            flagged ? redis : config.Redis,
            !string.IsNullOrEmpty(secret) ? secret : config.Secret,
            cluster ?? config.Cluster ?? DefaultCluster,
            AddressFromFlags: flagged);
    }
}

/// <summary>--grid, --redis, --secret and --cluster on one command, resolved with the environment and the config file.</summary>
internal sealed class GridOptionSet
{
    public GridOptionSet(string gridDescription, string redisDescription)
    {
        GridOption = GridAddress.Grid($"{gridDescription} Default: ${GridConfig.GridVariable}, or \"grid\" in ~/.gridactors/config.json.");
        RedisOption = GridAddress.Redis($"{redisDescription} Default: ${GridConfig.RedisVariable}, or \"redis\" in the config file.");
    }

    public Option<string?> GridOption { get; }

    public Option<string?> RedisOption { get; }

    public Option<string?> SecretOption { get; } = GridAddress.Secret();

    public Option<string?> ClusterOption { get; } = GridAddress.Cluster();

    public void AddTo(Command command)
    {
        command.Options.Add(GridOption);
        command.Options.Add(RedisOption);
        command.Options.Add(SecretOption);
        command.Options.Add(ClusterOption);
    }

    /// <summary>The grid to talk to; null, with the reason written to stderr, when the config file cannot be used.</summary>
    public GridTarget? Resolve(ParseResult result, TextWriter stderr)
    {
        GridConfig config;
        try
        {
            config = GridConfig.Load();
        }
        catch (ConfigException exception)
        {
            stderr.WriteLine($"grid: {exception.Message}");
            return null;
        }

        return GridAddress.Resolve(config, result.GetValue(GridOption), result.GetValue(RedisOption), result.GetValue(SecretOption), result.GetValue(ClusterOption));
    }
}
