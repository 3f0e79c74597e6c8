using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GridActors.Cli.Output;
using GridActors.Cli.Submission;
using GridActors.Grid;

namespace GridActors.Cli.Commands;

/// <summary>
/// The commands for tasks that outlive their client: submit one and return, read its results as often
/// as wanted, see how far it got, cancel it, delete it.
/// </summary>
internal static class TaskCommands
{
    private const string GridDescription = "The silo to talk to.";
    private const string RedisDescription = "Find a live silo of the grid in this Redis.";

    private static Argument<string> TaskArgument() => new("task") { Description = "The task id, as grid submit printed it." };

    public static Command Submit()
    {
        var input = new TaskInput();
        var grid = new GridOptionSet(GridDescription, RedisDescription);
        var command = new Command("submit", "Submit a task and print its id; the task runs on in the grid without this client. Read its results with grid results TASK.");
        input.AddTo(command);
        grid.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var stderr = Console.Error;
            var module = result.GetValue(input.Module)!;
            var arguments = result.GetValue(input.Items) ?? [];
            var stdin = result.GetValue(input.Stdin);
            var target = grid.Resolve(result, stderr);
            if (arguments.Length == 0 && !stdin)
            {
                await stderr.WriteLineAsync("grid: no items to submit. Give items after the module (grid submit examples/square.js 1 2 3) or read them with --stdin.");
                return ExitCodes.Usage;
            }

            if (await TaskInput.ReadModuleAsync(module, stderr, cancellationToken) is not var (source, hash))
            {
                return ExitCodes.Usage;
            }

            return await RemoteCommand.RunAsync("submit", target, stderr, async link =>
            {
                var items = ItemSource.Start(arguments, stdin ? Console.In : null, cancellationToken);

                // Nothing is created for an empty input.
                if (!await items.WaitToReadAsync(cancellationToken))
                {
                    await stderr.WriteLineAsync("grid: standard input held no items; nothing was submitted.");
                    return ExitCodes.Usage;
                }

                var taskId = TaskIds.New();
                await new TaskSession(link, taskId, window: int.MaxValue).SubmitAsync(source, hash, input.Options(result, keepResults: true), items, cancellationToken);
                await Console.Out.WriteLineAsync(taskId);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    public static Command Results()
    {
        var follow = new Option<bool>("--follow") { Description = "Wait for the results still to come, until the task ends." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per item: {\"index\":0,\"item\":1,\"result\":1}, or with \"error\" for a failed item; a checked result (--replicas, --trust) adds \"volunteers\", who agreed on it." };
        return ForTask(
            "results",
            "Print a task's results in input order from its first item: those done so far, or with --follow all of them as they come. Readable as often as wanted until the task is deleted.",
            [follow, json],
            async (result, link, info, stderr, cancellationToken) =>
            {
                var taskId = info.Id;
                var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
                var printer = new ResultPrinter(stdout, stderr, result.GetValue(json));
                var following = result.GetValue(follow);
                using var progress = following ? ProgressLine.StartIfTerminal(stderr, () => printer.Printed, () => info.Progress.InputComplete ? info.Progress.Items : null) : null;
                string? moduleError = null;
                long cursor = 0;
                while (true)
                {
                    var from = cursor;
                    var page = await link.CallAsync(g => g.GetGrain<ITaskGrain>(taskId).ReadResultsAsync(from, 4096, following ? TimeSpan.FromSeconds(5) : TimeSpan.Zero), cancellationToken);
                    foreach (var report in page.Results.Where(r => r.ErrorKind != JobErrorKind.Module || r.Error is null))
                    {
                        printer.Print(report);
                    }

                    await stdout.FlushAsync(cancellationToken);
                    cursor = page.NextCursor;
                    moduleError = page.ModuleError;
                    if (page.Finished || moduleError is not null || (!following && page.Results.Count == 0))
                    {
                        break;
                    }
                }

                progress?.Dispose();
                if (moduleError is not null)
                {
                    await stderr.WriteLineAsync($"grid: the module cannot run: {moduleError}");
                    return ExitCodes.ItemsFailed;
                }

                if (!following && (await link.CallAsync(g => g.GetGrain<ITaskGrain>(taskId).GetInfoAsync(), cancellationToken))?.State == TaskState.Running)
                {
                    await stderr.WriteLineAsync($"grid: task {taskId} is still running; {cursor} results so far in order. grid results {taskId} --follow waits for the rest.");
                }

                return printer.Failed > 0 ? ExitCodes.ItemsFailed : ExitCodes.Success;
            });
    }

    public static Command Status()
    {
        var task = new Argument<string?>("task") { Description = "A task id; without it, every task the grid holds.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON, for scripts." };
        var grid = new GridOptionSet(GridDescription, RedisDescription);
        var command = new Command("status", "Show a task's progress (done, failed, running, pending, rate, ETA), or a table of every task.")
        {
            task, json,
        };
        grid.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var stderr = Console.Error;
            var taskId = result.GetValue(task);
            var asJson = result.GetValue(json);
            return await RemoteCommand.RunAsync("status", grid.Resolve(result, stderr), stderr, async link =>
            {
                var now = DateTimeOffset.UtcNow;
                if (taskId is not null)
                {
                    if (await RemoteCommand.FindTaskAsync(link, taskId, stderr, cancellationToken) is not { } one)
                    {
                        return ExitCodes.Usage;
                    }

                    await Console.Out.WriteLineAsync(asJson ? JsonSerializer.Serialize(TaskStatusView.Of(one, now), CliJsonContext.Default.TaskStatusView) : TaskStatusView.Of(one, now).Describe());
                    return ExitCodes.Success;
                }

                var ids = await link.CallAsync(g => g.GetGrain<IGridGrain>(IGridGrain.Key).ListTasksAsync(), cancellationToken);
                var views = new List<TaskStatusView>();
                foreach (var id in ids)
                {
                    if (await link.CallAsync(g => g.GetGrain<ITaskGrain>(id).GetInfoAsync(), cancellationToken) is { } info)
                    {
                        views.Add(TaskStatusView.Of(info, now));
                    }
                }

                if (asJson)
                {
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(views, CliJsonContext.Default.ListTaskStatusView));
                    return ExitCodes.Success;
                }

                if (views.Count == 0)
                {
                    await Console.Out.WriteLineAsync("No tasks. Submit one with grid submit MODULE ITEM...");
                    return ExitCodes.Success;
                }

                var table = new Table("TASK", "MODULE", "STATE", "DONE", "FAILED", "RUNNING", "PENDING", "RATE/S", "ETA", "SUBMITTED");
                foreach (var view in views)
                {
                    table.Add(view.Task, view.Module, view.State, Count(view.Done), Count(view.Failed), Count(view.Running), Count(view.Pending),
                        view.RatePerSecond.ToString("0.#", CultureInfo.InvariantCulture), view.EtaSeconds is { } eta ? ProgressLine.FormatTime(TimeSpan.FromSeconds(eta)) : "-",
                        view.Submitted.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
                }

                table.WriteTo(Console.Out);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    public static Command Cancel() => ForTask(
        "cancel",
        "Stop a task: no further jobs are placed, running ones are stopped, results already done are kept.",
        [],
        async (_, link, info, stderr, cancellationToken) =>
        {
            var taskId = info.Id;
            if (!await link.CallAsync(g => g.GetGrain<ITaskGrain>(taskId).CancelAsync(), cancellationToken))
            {
                await stderr.WriteLineAsync($"grid: task {taskId} has already ended ({info.State.ToString().ToLowerInvariant()}); there is nothing to cancel. Its results stay readable: grid results {taskId}.");
                return ExitCodes.Usage;
            }

            var kept = info.Progress.Done + info.Progress.Failed;
            await stderr.WriteLineAsync($"grid: cancelled task {taskId}; the results done so far (about {kept}) stay readable: grid results {taskId}.");
            return ExitCodes.Success;
        });

    public static Command Delete() => ForTask(
        "delete",
        "Remove a task and everything the grid stored for it, stopping it first if it runs. Ended tasks are also deleted after the silos' retention time (7 days by default).",
        [],
        async (_, link, info, stderr, cancellationToken) =>
        {
            await link.CallAsync(g => g.GetGrain<ITaskGrain>(info.Id).DeleteAsync(), cancellationToken);
            await stderr.WriteLineAsync($"grid: deleted task {info.Id}.");
            return ExitCodes.Success;
        });

    /// <summary>
    /// A command about one task: the task id, <paramref name="options"/> and the grid options; it finds
    /// the task (an unknown id is a usage error that says so) and runs <paramref name="work"/> on it.
    /// </summary>
    private static Command ForTask(string name, string description, Option[] options, Func<ParseResult, GridLink, TaskInfo, TextWriter, CancellationToken, Task<int>> work)
    {
        var task = TaskArgument();
        var grid = new GridOptionSet(GridDescription, RedisDescription);
        var command = new Command(name, description) { task };
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        grid.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var stderr = Console.Error;
            var taskId = result.GetValue(task)!;
            return await RemoteCommand.RunAsync(name, grid.Resolve(result, stderr), stderr, async link =>
                await RemoteCommand.FindTaskAsync(link, taskId, stderr, cancellationToken) is { } info
                    ? await work(result, link, info, stderr, cancellationToken)
                    : ExitCodes.Usage,
                cancellationToken);
        });
        return command;
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A task as grid status shows it, in a table, as text, or as JSON.</summary>
internal sealed record TaskStatusView(
    string Task, string Module, string State, long Items, bool InputComplete, long Done, long Failed, long Running, long Pending,
    double RatePerSecond, double? EtaSeconds, DateTimeOffset Submitted, DateTimeOffset? Ended, string? ModuleError, string? Silo)
{
    public static TaskStatusView Of(TaskInfo info, DateTimeOffset now)
    {
        var progress = info.Progress;
        var finished = progress.Done + progress.Failed;
        var elapsed = ((info.Ended ?? now) - info.Created).TotalSeconds;
        var rate = elapsed > 0 ? finished / elapsed : 0;
        var running = info.State == TaskState.Running ? progress.Started : 0;
        var pending = info.State == TaskState.Running ? Math.Max(0, progress.Items - finished - running) : 0;
        double? eta = info.State == TaskState.Running && progress.InputComplete && rate > 0 ? Math.Round((progress.Items - finished) / rate, 1) : null;
        return new TaskStatusView(info.Id, info.Module, info.State.ToString().ToLowerInvariant(), progress.Items, progress.InputComplete,
            progress.Done, progress.Failed, running, pending, Math.Round(rate, 1), eta, info.Created, info.Ended, info.ModuleError, info.Silo);
    }

    public string Describe()
    {
        var lines = new List<string>
        {
            $"task      {Task}",
            $"module    {Module}",
            $"state     {State}",
            string.Create(CultureInfo.InvariantCulture, $"items     {Items}{(InputComplete ? string.Empty : " so far (input still open)")}"),
            string.Create(CultureInfo.InvariantCulture, $"done      {Done}, failed {Failed}, running {Running}, pending {Pending}"),
            string.Create(CultureInfo.InvariantCulture, $"rate      {RatePerSecond:0.#}/s{(EtaSeconds is { } eta ? ", ETA " + ProgressLine.FormatTime(TimeSpan.FromSeconds(eta)) : string.Empty)}"),
            $"submitted {Submitted.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}",
        };
        if (Ended is { } ended)
        {
            lines.Add($"ended     {ended.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}");
        }

        if (ModuleError is not null)
        {
            lines.Add($"error     {ModuleError}");
        }

        return string.Join('\n', lines);
    }
}
