using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using GridActors.Grid;

namespace GridActors.Cli.Commands;

/// <summary>What `grid run` and `grid submit` both take: a module, items, and how the jobs run.</summary>
internal sealed class TaskInput
{
    public Argument<FileInfo> Module { get; } = new("module")
    {
        Description = "The JavaScript module to run: module.exports = function (x) { ... }, function (x, cb) { ... }, or a Pando module.",
    };

    public Argument<string[]> Items { get; } = new("items")
    {
        Description = "Items to run the module on. Valid JSON is taken as JSON (1, \"x\", [1,2]); anything else as a string.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<bool> Stdin { get; } = new("--stdin")
    {
        Description = "Also read items from standard input, one per line, as a stream.",
    };

    public Option<double> JobTimeout { get; } = new("--job-timeout")
    {
        Description = "Wall-time limit of one job, in seconds.",
        DefaultValueFactory = _ => 60,
        HelpName = "SECONDS",
    };

    public Option<int> MaxAttempts { get; } = new("--max-attempts")
    {
        Description = "Attempts per job when a runner is lost to a time or memory limit or a crash. Errors thrown by the module are not retried.",
        DefaultValueFactory = _ => 3,
        HelpName = "N",
    };

    public TaskInput()
    {
        JobTimeout.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<double>();
            if (!(value > 0) || double.IsInfinity(value))
            {
                r.AddError($"--job-timeout must be a positive number of seconds, not {value}. Try --job-timeout 60.");
            }
        });
        MaxAttempts.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value < 1)
            {
                r.AddError($"--max-attempts must be at least 1, not {value}. Try --max-attempts 3.");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Arguments.Add(Module);
        command.Arguments.Add(Items);
        command.Options.Add(Stdin);
        command.Options.Add(JobTimeout);
        command.Options.Add(MaxAttempts);
    }

    public TaskOptions Options(ParseResult result, bool keepResults) =>
        new(TimeSpan.FromSeconds(result.GetValue(JobTimeout)), result.GetValue(MaxAttempts), keepResults);

    /// <summary>Reads the module file; null, with the reason on stderr, when it cannot be read.</summary>
    public static async Task<(ModuleSource Source, string Hash)?> ReadModuleAsync(FileInfo module, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!module.Exists)
        {
            await stderr.WriteLineAsync($"grid: module file '{module}' not found. Give the path of a JavaScript module, such as examples/square.js.");
            return null;
        }

        string source;
        try
        {
            source = await File.ReadAllTextAsync(module.FullName, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"grid: cannot read module '{module}': {exception.Message}");
            return null;
        }

        return (new ModuleSource(module.Name, source), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source))));
    }
}

/// <summary>Task ids: 12 lowercase hex digits, short enough to type.</summary>
internal static class TaskIds
{
    public static string New() => Guid.NewGuid().ToString("N")[..12];
}
