using System.CommandLine;
using System.Text;
using GridActors.Cli.Output;
using GridActors.Cli.Submission;
using GridActors.Grid;
using GridActors.Silo.Hosting;

namespace GridActors.Cli.Commands;

/// <summary>`grid run MODULE [ITEM ...]`: runs a module on every item and prints the results in input order.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var input = new TaskInput();
        var local = new Option<bool>("--local")
        {
            Description = "Run without a grid: one runner on this machine, each item once. For trying a module out.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON object per item: {\"index\":0,\"item\":1,\"result\":1}, or with \"error\" for a failed item; a checked result (--replicas, --trust) adds \"volunteers\", who agreed on it.",
        };
        var grid = new GridOptionSet(
            "Submit to the silo at this address instead of starting a grid in this process.",
            "Submit to a grid found in this Redis: the client picks a live silo from its membership table, and moves to another if it is lost.");
        var command = new Command("run", "Run a module on items and print the results in input order; results print while --stdin input still arrives. Without a grid address it starts a grid in this process.");
        input.AddTo(command);
        command.Options.Add(local);
        command.Options.Add(json);
        grid.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var target = grid.Resolve(result, Console.Error);
            if (target is null)
            {
                return ExitCodes.Usage;
            }

            return await RunAsync(
                new RunRequest(
                    result.GetValue(input.Module)!,
                    result.GetValue(input.Items) ?? [],
                    result.GetValue(input.Stdin),
                    result.GetValue(local),
                    input.Options(result, keepResults: false),
                    result.GetValue(json),
                    target),
                Console.In,
                Console.Out,
                Console.Error,
                cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(RunRequest request, TextReader stdinReader, TextWriter stdoutWriter, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!request.Module.Exists)
        {
            await stderr.WriteLineAsync($"grid: module file '{request.Module}' not found. Give the path of a JavaScript module, such as examples/square.js.");
            return ExitCodes.Usage;
        }

        if (request.Local && request.Options.Checked)
        {
            await stderr.WriteLineAsync("grid: --local runs each item once, on this machine; replicas and trust need a grid. Leave out --local (an embedded grid starts) or --replicas/--trust.");
            return ExitCodes.Usage;
        }

        if (request.Target.IsRemote && request.Local)
        {
            if (request.Target.AddressFromFlags)
            {
                await stderr.WriteLineAsync("grid: --local runs without a grid; leave out --grid and --redis, or --local.");
                return ExitCodes.Usage;
            }

            // A grid from the environment or the config file gives way to an explicit --local.
            request = request with { Target = request.Target.Embedded() };
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

        if (await TaskInput.ReadModuleAsync(request.Module, stderr, cancellationToken) is not var (moduleSource, hash))
        {
            return ExitCodes.Usage;
        }

        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
        var printer = new ResultPrinter(stdoutWriter == Console.Out ? stdout : stdoutWriter, stderr, request.Json);
        long? total = request.Stdin ? null : request.Items.Count;
        using var progress = ProgressLine.StartIfTerminal(stderr, () => printer.Printed, () => total);
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

        // A fault inside the grid, not in the module: the results so far are printed, the rest are not coming.
        return await RemoteCommand.GuardAsync(
            async () =>
            {
                string? moduleError;
                if (request.Local)
                {
                    moduleError = await LocalRun.RunAsync(moduleSource, hash, request.Options, input, OnResults, stderr, cancellationToken);
                }
                else if (request.Target.IsRemote)
                {
                    await using var link = await RemoteCommand.ConnectAsync(request.Target, stderr, cancellationToken);
                    var session = new TaskSession(link, TaskIds.New());
                    moduleError = await session.RunAsync(moduleSource, hash, request.Options, input, OnResults, cancellationToken);

                    // Every result is printed: the task has nothing more to give, and the grid need not keep it.
                    await session.DeleteAsync(cancellationToken);
                }
                else
                {
                    await using var grid = await EmbeddedGrid.StartAsync(cancellationToken: cancellationToken);
                    var session = new TaskSession(GridLink.InProcess(grid.Grains), TaskIds.New());
                    moduleError = await session.RunAsync(moduleSource, hash, request.Options, input, OnResults, cancellationToken);
                }

                progress?.Dispose();
                if (moduleError is not null)
                {
                    await stderr.WriteLineAsync($"grid: the module cannot run: {moduleError}");
                    return ExitCodes.ItemsFailed;
                }

                return printer.Failed > 0 ? ExitCodes.ItemsFailed : ExitCodes.Success;
            },
            "the grid could not serve the task",
            stderr,
            cancellationToken);
    }
}

/// <summary>What `grid run` was asked to do.</summary>
internal sealed record RunRequest(FileInfo Module, IReadOnlyList<string> Items, bool Stdin, bool Local, TaskOptions Options, bool Json, GridTarget Target);

/// <summary>Which grid a command talks to: none (embedded), a silo, or a cluster found in Redis.</summary>
/// <param name="Grid">A silo's address (--grid).</param>
/// <param name="Redis">The Redis of a grid whose silos are found in its membership table (--redis).</param>
/// <param name="Secret">The cluster secret.</param>
/// <param name="Cluster">The cluster id.</param>
/// <param name="AddressFromFlags">Whether the address was given on the command line, not by the environment or the config file.</param>
internal sealed record GridTarget(string? Grid, string? Redis, string? Secret, string Cluster, bool AddressFromFlags = true)
{
    public bool IsRemote => Grid is not null || Redis is not null;

    /// <summary>Where the grid is, for messages.</summary>
    public string Describe() => Grid is not null ? $"the silo at {Grid}" : $"the grid in Redis at {Redis} (cluster '{Cluster}')";

    /// <summary>The same grid without an address: the embedded one.</summary>
    public GridTarget Embedded() => this with { Grid = null, Redis = null };
}
