using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GridActors.Cli.Output;
using GridActors.Cli.Submission;
using GridActors.Grid;

namespace GridActors.Cli.Commands;

/// <summary>The commands that look at the grid's machines: its volunteers (Pando's monitoring, Flow's inspect) and their CPU use (Flow's usage).</summary>
internal static class GridCommands
{
    public static Command Volunteers() => ForGrid(
        "volunteers",
        "List every volunteer: each silo's runners and each browser tab volunteering through a silo. For each: its name, kind (silo or browser), silo, CPUs, CPU use, jobs running, items done, throughput, the time its jobs take (mean, standard deviation, least, most), where its modules run (the runners' JavaScript engine, or the browser), and its reputation from tasks run with --replicas or --trust adaptive: checked results that agreed and disagreed with the other volunteers', and whether its run of agreements has earned it trust (10 in a row, the default of --trust-after). --json adds a browser's user agent and its identity.",
        async (link, json, stderr, cancellationToken) =>
        {
            var volunteers = await link.CallAsync(g => g.GetGrain<IGridGrain>(IGridGrain.Key).GetVolunteersAsync(), cancellationToken);
            var views = volunteers.Select(VolunteerView.Of).ToList();
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(views, CliJsonContext.Default.ListVolunteerView));
                return ExitCodes.Success;
            }

            var table = new Table("NAME", "KIND", "SILO", "CPUS", "CPU%", "RUNNING", "DONE", "JOBS/S", "JOB MS MEAN", "SD", "MIN", "MAX", "AGREED", "DISAGREED", "TRUSTED", "ENGINE");
            foreach (var v in views)
            {
                table.Add(v.Name, v.Kind, v.Silo, Number(v.Cpus), Number(v.CpuPercent), Number(v.Running), v.ItemsDone?.ToString(CultureInfo.InvariantCulture) ?? "?",
                    Number(v.JobsPerSecond), Number(v.JobMs?.Mean), Number(v.JobMs?.StdDev), Number(v.JobMs?.Min), Number(v.JobMs?.Max),
                    Number(v.Agreed), Number(v.Disagreed), v.Trusted switch { true => "yes", false => $"no ({v.Streak}/{TaskOptions.DefaultTrustAfter})", null => "?" }, v.Engine ?? "?");
            }

            table.WriteTo(Console.Out);
            if (views.Count == 0)
            {
                await stderr.WriteLineAsync("grid: the grid has no active silo; join one with grid silo --redis HOST:PORT.");
            }

            return ExitCodes.Success;
        });

    public static Command Usage() => ForGrid(
        "usage",
        "Show the CPU use of each silo's machine by work other than the grid, its --max-cpu threshold, and the grid's jobs on it.",
        async (link, json, _, cancellationToken) =>
        {
            var silos = await link.CallAsync(g => g.GetGrain<IGridGrain>(IGridGrain.Key).GetSilosAsync(), cancellationToken);
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(silos, CliJsonContext.Default.IReadOnlyListSiloInfo));
                return ExitCodes.Success;
            }

            var table = new Table("NAME", "SILO", "STATUS", "CPU% (OTHER WORK)", "MAX-CPU%", "JOBS/CAPACITY", "QUEUED", "JOBS RUN", "MEMORY");
            foreach (var silo in silos)
            {
                var load = silo.Load;
                table.Add(silo.Name, silo.Address, silo.Status.ToLowerInvariant(), Number(load.CpuPercent), Number(load.MaxCpuPercent),
                    $"{load.RunningJobs}/{load.Capacity}", Number(load.QueuedJobs), Number(load.JobsRun), $"{load.MemoryBytes / (1024 * 1024)} MB");
            }

            table.WriteTo(Console.Out);
            return ExitCodes.Success;
        });

    /// <summary>A command that looks at the whole grid: --json and the grid options; <paramref name="work"/> gets the link and whether JSON was asked for.</summary>
    private static Command ForGrid(string name, string description, Func<GridLink, bool, TextWriter, CancellationToken, Task<int>> work)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON, for scripts." };
        var grid = new GridOptionSet("The silo to ask.", "Find a live silo of the grid in this Redis.");
        var command = new Command(name, description) { json };
        grid.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var stderr = Console.Error;
            return await RemoteCommand.RunAsync(name, grid.Resolve(result, stderr), stderr, link => work(link, result.GetValue(json), stderr, cancellationToken), cancellationToken);
        });
        return command;
    }

    private static string Number(double? value) => value?.ToString("0.#", CultureInfo.InvariantCulture) ?? "?";
}

/// <summary>A volunteer as grid volunteers shows it; the figures are null when its silo did not answer.</summary>
internal sealed record VolunteerView(
    string Name, string Silo, int Cpus, double CpuPercent, int? Running, long? ItemsDone, double? JobsPerSecond, Spread? JobMs, string? Engine,
    string Kind = VolunteerStats.SiloKind, string Agent = "", string Identity = "", long? Agreed = null, long? Disagreed = null, long? Streak = null, bool? Trusted = null)
{
    public static VolunteerView Of(VolunteerInfo volunteer)
    {
        var stats = volunteer.Stats;
        var seconds = stats?.Uptime.TotalSeconds ?? 0;
        var browser = stats?.Kind == VolunteerStats.BrowserKind;
        return new VolunteerView(
            browser ? GridActors.Silo.Browsers.VolunteerEndpoints.ShortName(stats!.Volunteer) : volunteer.Silo.Name,
            volunteer.Silo.Address,
            stats?.Runners ?? volunteer.Silo.Load.Capacity,
            Math.Round(volunteer.Silo.Load.CpuPercent, 1),
            stats?.Running,
            stats?.ItemsDone,
            stats is null ? null : Math.Round(seconds > 0 ? stats.ItemsDone / seconds : 0, 2),
            stats is null ? null : new Spread(Math.Round(stats.JobTime.Mean, 2), Math.Round(stats.JobTime.StdDev, 2), Math.Round(stats.JobTime.Min, 2), Math.Round(stats.JobTime.Max, 2)),
            stats?.Engine,
            stats?.Kind ?? VolunteerStats.SiloKind,
            stats?.Agent ?? string.Empty,
            stats?.Identity ?? string.Empty,
            stats?.Reputation?.Agreed,
            stats?.Reputation?.Disagreed,
            stats?.Reputation?.Streak,
            stats?.Reputation?.IsTrusted(TaskOptions.DefaultTrustAfter));
    }
}
