using System.CommandLine;

namespace GridActors.Cli.Commands;

/// <summary>The options that say which grid to talk to, shared by the commands.</summary>
internal static class GridAddress
{
    public const string SecretVariable = "GRIDACTORS_SECRET";

    public static Option<string?> Redis(string description) => new("--redis") { Description = description, HelpName = "HOST:PORT" };

    public static Option<string?> Secret() => new("--secret")
    {
        Description = $"The grid's cluster secret; every connection proves it without sending it. Default: ${SecretVariable}.",
        HelpName = "SECRET",
    };

    public static Option<string> Cluster() => new("--cluster")
    {
        Description = "The cluster id: the prefix of the grid's keys in Redis.",
        DefaultValueFactory = _ => "grid",
        HelpName = "ID",
    };

    /// <summary>The secret from the flag, else from the environment.</summary>
    public static string? SecretOf(string? flag) =>
        !string.IsNullOrEmpty(flag) ? flag : Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
}
