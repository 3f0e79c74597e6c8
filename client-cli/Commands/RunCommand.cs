using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using GridActors.Cli.Output;
using GridActors.Cli.Submission;
using GridActors.Grid;
using GridActors.Runtime.Messaging;
using GridActors.Silo;

namespace GridActors.Cli.Commands;

/// <summary>`grid run MODULE [ITEM ...]`: runs a module on every item and prints the results in input order.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var module = new Argument<FileInfo>("module")
        {
            Description = "The JavaScript module to run: module.exports = function (x) { ... }, function (x, cb) { ... }, or a Pando module.",
        };
        var items = new Argument<string[]>("items")
        {
            Description = "Items to run the module on. Valid JSON is taken as JSON (1, \"x\", [1,2]); anything else as a string.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var stdin = new Option<bool>("--stdin")
        {
            Description = "Also read items from standard input, one per line, as a stream: results print while input still arrives.",
        };
        var local = new Option<bool>("--local")
        {
            Description = "Run without a grid: one runner on this machine, each item once. For trying a module out.",
        };
        var jobTimeout = new Option<double>("--job-timeout")
        {
            Description = "Wall-time limit of one job, in seconds.",
            DefaultValueFactory = _ => 60,
            HelpName = "SECONDS",
        };
        jobTimeout.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<double>();
            if (!(value > 0) || double.IsInfinity(value))
            {
                r.AddError($"--job-timeout must be a positive number of seconds, not {value}. Try --job-timeout 60.");
            }
        });
        var maxAttempts = new Option<int>("--max-attempts")
        {
            Description = "Attempts per job when a runner is lost to a time or memory limit or a crash. Errors thrown by the module are not retried.",
            DefaultValueFactory = _ => 3,
            HelpName = "N",
        };
        maxAttempts.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value < 1)
            {
                r.AddError($"--max-attempts must be at least 1, not {value}. Try --max-attempts 3.");
            }
        });
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON object per item: {\"index\":0,\"item\":1,\"result\":1}, or with \"error\" for a failed item.",
        };

        var grid = new Option<string?>("--grid") { Description = "Submit to the silo at this address instead of starting a grid in this process.", HelpName = "HOST:PORT" };
        var redis = GridAddress.Redis("Submit to a grid found in this Redis: the client picks a live silo from its membership table.");
        var secret = GridAddress.Secret();
        var cluster = GridAddress.Cluster();
        var command = new Command("run", "Run a module on items and print the results in input order. Without a grid address it starts a grid in this process.")
        {
            module, items, stdin, local, jobTimeout, maxAttempts, json, grid, redis, secret, cluster,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new RunRequest(
                result.GetValue(module)!,
                result.GetValue(items) ?? [],
                result.GetValue(stdin),
                result.GetValue(local),
                new TaskOptions(TimeSpan.FromSeconds(result.GetValue(jobTimeout)), result.GetValue(maxAttempts), KeepResults: false),
                result.GetValue(json),
                new GridTarget(result.GetValue(grid), result.GetValue(redis), GridAddress.SecretOf(result.GetValue(secret)), result.GetValue(cluster)!)),
            Console.In,
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(RunRequest request, TextReader stdinReader, TextWriter stdoutWriter, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!request.Module.Exists)
        {
            await stderr.WriteLineAsync($"grid: module file '{request.Module}' not found. Give the path of a JavaScript module, such as examples/square.js.");
            return ExitCodes.Usage;
        }

        if (request.Target.IsRemote && request.Local)
        {
            await stderr.WriteLineAsync("grid: --local runs without a grid; leave out --grid and --redis, or --local.");
            return ExitCodes.Usage;
        }

        if (request.Target.IsRemote && request.Target.Secret is null)
        {
            await stderr.WriteLineAsync($"grid: the grid needs its cluster secret: --secret SECRET or {GridAddress.SecretVariable}.");
            return ExitCodes.Usage;
        }

        if (request.Items.Count == 0 && !request.Stdin)
        {
            await stderr.WriteLineAsync("grid: no items to run. Give items after the module (grid run examples/square.js 1 2 3) or read them with --stdin.");
            return ExitCodes.Usage;
        }

        string source;
        try
        {
            source = await File.ReadAllTextAsync(request.Module.FullName, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"grid: cannot read module '{request.Module}': {exception.Message}");
            return ExitCodes.Usage;
        }

        var moduleSource = new ModuleSource(request.Module.Name, source);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
        var printer = new ResultPrinter(stdoutWriter == Console.Out ? stdout : stdoutWriter, stderr, request.Json);
        using var progress = ProgressLine.StartIfTerminal(stderr, () => printer.Printed);
        var input = ItemSource.Start(request.Items, request.Stdin ? stdinReader : null, cancellationToken);

        void OnResults(IReadOnlyList<JobReport> reports)
        {
            foreach (var report in reports)
            {
                // A module that cannot run fails every item the same way: that is said once, at the end.
                if (report.ErrorKind != JobErrorKind.Module || report.Error is null)
                {
                    printer.Print(report);
                }
            }

            printer.Flush();
        }

        string? moduleError;
        try
        {
            if (request.Local)
            {
                moduleError = await LocalRun.RunAsync(moduleSource, hash, request.Options, input, OnResults, stderr, cancellationToken);
            }
            else if (request.Target.IsRemote)
            {
                var target = request.Target;
                await using var link = await GridLink.ConnectAsync(
                    target.Grid is { } gateway
                        ? token => GridClient.ConnectAsync(gateway, target.Secret!, token)
                        : token => GridClient.ConnectThroughRedisAsync(target.Redis!, target.Cluster, target.Secret!, TimeProvider.System, token),
                    failOver: target.Grid is null,
                    stderr,
                    TimeProvider.System,
                    cancellationToken);
                var session = new TaskSession(link, Guid.NewGuid().ToString("N")[..12]);
                moduleError = await session.RunAsync(moduleSource, hash, request.Options, input, OnResults, cancellationToken);
            }
            else
            {
                await using var grid = await EmbeddedGrid.StartAsync(cancellationToken: cancellationToken);
                var session = new TaskSession(GridLink.InProcess(grid.Grains), Guid.NewGuid().ToString("N")[..12]);
                moduleError = await session.RunAsync(moduleSource, hash, request.Options, input, OnResults, cancellationToken);
            }
        }
        catch (GridUnreachableException exception)
        {
            await stderr.WriteLineAsync($"grid: {exception.Message}");
            return ExitCodes.Unreachable;
        }
        catch (GrainException exception)
        {
            // A fault inside the grid, not in the module: the results so far are printed, the rest are not coming.
            await stderr.WriteLineAsync($"grid: the grid could not serve the task: {exception.Message}");
            return ExitCodes.Unreachable;
        }
        catch (UnauthorizedAccessException exception)
        {
            await stderr.WriteLineAsync($"grid: {exception.Message}");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("grid: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (IOException exception) when (IsBrokenPipe(exception))
        {
            return ExitCodes.BrokenPipe;
        }

        progress?.Dispose();
        if (moduleError is not null)
        {
            await stderr.WriteLineAsync($"grid: the module cannot run: {moduleError}");
            return ExitCodes.ItemsFailed;
        }

        return printer.Failed > 0 ? ExitCodes.ItemsFailed : ExitCodes.Success;
    }

    private static bool IsBrokenPipe(IOException exception) =>
        exception.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase) || exception.HResult == 32;
}

/// <summary>What `grid run` was asked to do.</summary>
internal sealed record RunRequest(FileInfo Module, IReadOnlyList<string> Items, bool Stdin, bool Local, TaskOptions Options, bool Json, GridTarget Target);

/// <summary>Which grid `grid run` submits to: none (embedded), a silo, or a cluster found in Redis.</summary>
internal sealed record GridTarget(string? Grid, string? Redis, string? Secret, string Cluster)
{
    public bool IsRemote => Grid is not null || Redis is not null;
}
