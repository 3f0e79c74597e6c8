using System.Text.Json;

namespace GridActors.Cli.Config;

/// <summary>
/// Where a command finds its grid when the command line does not say: the GRIDACTORS_* environment
/// variables, then the config file (~/.gridactors/config.json, or the file GRIDACTORS_CONFIG names).
/// Flags win over the environment, the environment over the file. The file is a JSON object with
/// any of "grid", "redis", "secret" and "cluster", each a string.
/// </summary>
internal sealed record GridConfig(string? Grid, string? Redis, string? Secret, string? Cluster, string? Source)
{
    public const string FileVariable = "GRIDACTORS_CONFIG";
    public const string GridVariable = "GRIDACTORS_GRID";
    public const string RedisVariable = "GRIDACTORS_REDIS";
    public const string SecretVariable = "GRIDACTORS_SECRET";
    public const string ClusterVariable = "GRIDACTORS_CLUSTER";

    private static readonly string[] Settings = ["grid", "redis", "secret", "cluster"];

    public static GridConfig Empty { get; } = new(null, null, null, null, null);

    /// <summary>The config file's path: GRIDACTORS_CONFIG, else ~/.gridactors/config.json.</summary>
    public static string DefaultPath =>
        Variable(FileVariable) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gridactors", "config.json");

    /// <summary>The environment over the file. Throws <see cref="ConfigException"/> for a file that cannot be used, naming it and the line.</summary>
    public static GridConfig Load()
    {
        var file = ReadFile(DefaultPath);
        var environment = new GridConfig(Variable(GridVariable), Variable(RedisVariable), Variable(SecretVariable), Variable(ClusterVariable), "environment");

        // An address in the environment replaces the file's address, whichever kind either is.
        var fromEnvironment = environment.Grid is not null || environment.Redis is not null;
        return new GridConfig(
            fromEnvironment ? environment.Grid : file.Grid,
            fromEnvironment ? environment.Redis : file.Redis,
            environment.Secret ?? file.Secret,
            environment.Cluster ?? file.Cluster,
            file.Source);
    }

    /// <summary>Reads a config file; a missing file is an empty config.</summary>
    public static GridConfig ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return Empty;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read the config file {path}: {exception.Message}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException exception)
        {
            var line = (exception.LineNumber ?? 0) + 1;
            throw new ConfigException($"the config file {path} is not valid JSON at line {line}: {FirstSentence(exception.Message)} Fix it, or move it away to use no config file.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException($"the config file {path} must hold a JSON object, such as {{\"redis\": \"127.0.0.1:6379\", \"secret\": \"s3cret\"}}.");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!Settings.Contains(property.Name))
                {
                    throw new ConfigException($"the config file {path} has an unknown setting \"{property.Name}\"; the settings are {string.Join(", ", Settings.Select(s => $"\"{s}\""))}.");
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new ConfigException($"the config file {path}: \"{property.Name}\" must be a string, such as \"{Example(property.Name)}\".");
                }

                values[property.Name] = property.Value.GetString()!;
            }

            return new GridConfig(values.GetValueOrDefault("grid"), values.GetValueOrDefault("redis"), values.GetValueOrDefault("secret"), values.GetValueOrDefault("cluster"), path);
        }
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private static string Example(string setting) => setting switch
    {
        "grid" => "127.0.0.1:11111",
        "redis" => "127.0.0.1:6379",
        "cluster" => "grid",
        _ => "s3cret",
    };
}

/// <summary>The config file cannot be used; the message names the file and what is wrong.</summary>
internal sealed class ConfigException(string message) : Exception(message);
