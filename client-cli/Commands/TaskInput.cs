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

    public Option<int> Replicas { get; } = new("--replicas")
    {
        Description = "Run each job on N different volunteers (other silos or browsers while there are any) and take a result only when they agree. Math.random is then seeded per item, so replicas draw the same numbers.",
        DefaultValueFactory = _ => 1,
        HelpName = "N",
    };

    public Option<int?> Quorum { get; } = new("--quorum")
    {
        Description = "How many of the replicas must agree (default: all of them). When too few agree, more replicas run, up to --max-replicas, then the item fails naming who disagreed.",
        HelpName = "K",
    };

    public Option<int?> MaxReplicas { get; } = new("--max-replicas")
    {
        Description = "The most replicas a job may run when its replicas disagree. Default: the replicas plus 2.",
        HelpName = "N",
    };

    public Option<string> Trust { get; } = new("--trust")
    {
        Description = "none: every job runs on its replicas. adaptive: a volunteer whose last results all agreed with others (--trust-after in a row) gets single jobs, a share of them (--check-share) checked again at random; one disagreement sends it back to replicas.",
        DefaultValueFactory = _ => "none",
        HelpName = "none|adaptive",
    };

    public Option<int> TrustAfter { get; } = new("--trust-after")
    {
        Description = "Under --trust adaptive: the run of agreements that earns a volunteer single jobs.",
        DefaultValueFactory = _ => TaskOptions.DefaultTrustAfter,
        HelpName = "N",
    };

    public Option<double> CheckShare { get; } = new("--check-share")
    {
        Description = "Under --trust adaptive: the share of a trusted volunteer's results checked by a replica all the same, from 0 to 1.",
        DefaultValueFactory = _ => TaskOptions.DefaultCheckShare,
        HelpName = "SHARE",
    };

    public TaskInput()
    {
        Replicas.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value < 1 || value > TaskOptions.ReplicaLimit)
            {
                r.AddError($"--replicas must be from 1 to {TaskOptions.ReplicaLimit}, not {value}. Try --replicas 2.");
            }
        });
        Quorum.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } value && value < 1)
            {
                r.AddError($"--quorum must be at least 1, not {value}. Try --quorum 2.");
            }
        });
        MaxReplicas.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } value && (value < 1 || value > TaskOptions.ReplicaLimit))
            {
                r.AddError($"--max-replicas must be from 1 to {TaskOptions.ReplicaLimit}, not {value}.");
            }
        });
        Trust.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (value is not ("none" or "adaptive"))
            {
                r.AddError($"--trust must be none or adaptive, not '{value}'.");
            }
        });
        TrustAfter.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value < 1)
            {
                r.AddError($"--trust-after must be at least 1, not {value}. Try --trust-after {TaskOptions.DefaultTrustAfter}.");
            }
        });
        CheckShare.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<double>();
            if (!(value >= 0 && value <= 1))
            {
                r.AddError($"--check-share must be from 0 to 1, not {value}. Try --check-share 0.1.");
            }
        });
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
        command.Options.Add(Replicas);
        command.Options.Add(Quorum);
        command.Options.Add(MaxReplicas);
        command.Options.Add(Trust);
        command.Options.Add(TrustAfter);
        command.Options.Add(CheckShare);
        command.Validators.Add(r =>
        {
            var replicas = r.GetValue(Replicas);
            var adaptive = r.GetValue(Trust) == "adaptive";
            var checkedReplicas = adaptive ? Math.Max(2, replicas) : replicas;
            if (r.GetValue(Quorum) is { } quorum && quorum > checkedReplicas)
            {
                r.AddError($"--quorum {quorum} is more than the {checkedReplicas} replicas each job runs on; give --replicas {quorum} or more, or a smaller --quorum.");
            }

            if (r.GetValue(MaxReplicas) is { } most && most < checkedReplicas)
            {
                r.AddError($"--max-replicas {most} is fewer than the {checkedReplicas} replicas each job starts with.");
            }
        });
    }

    public TaskOptions Options(ParseResult result, bool keepResults) =>
        new(
            TimeSpan.FromSeconds(result.GetValue(JobTimeout)),
            result.GetValue(MaxAttempts),
            keepResults,
            result.GetValue(Replicas),
            result.GetValue(Quorum) ?? 0,
            result.GetValue(Trust) == "adaptive" ? TrustMode.Adaptive : TrustMode.None,
            result.GetValue(CheckShare),
            result.GetValue(TrustAfter),
            result.GetValue(MaxReplicas) ?? 0);

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
