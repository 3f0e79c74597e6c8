using System.Text.Json.Serialization;
using System.Threading.Channels;
using GridActors.Grid;
using Microsoft.Extensions.Logging;

namespace GridActors.Silo.Dashboard;

/// <summary>
/// What the dashboards open on this silo watch: once a second, while at least one is open, the
/// silo reads the grid (silos, volunteers, the latest tasks, invitations) through its grains, works
/// out rates from the counters' changes, and hands every open dashboard the same snapshot. It keeps
/// the last five minutes of rates, so a dashboard opened now draws its chart at once.
/// </summary>
internal sealed partial class DashboardFeed(IGrainFactory grains, TimeProvider time, ILogger<DashboardFeed> logger)
{
    /// <summary>The most tasks shown: the newest.</summary>
    public const int MaxTasks = 50;

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HistoryLength = TimeSpan.FromMinutes(5);

    private readonly object _lock = new();
    private readonly List<Channel<DashboardFrame>> _watchers = [];
    private readonly LinkedList<RatePoint> _history = new();

    // Silos and volunteers over 5 s, so the two views of the same work agree; tasks over 10 s, for a steadier ETA.
    private readonly Rates _siloRates = new(time, TimeSpan.FromSeconds(5));
    private readonly Rates _volunteerRates = new(time, TimeSpan.FromSeconds(5));
    private readonly Rates _taskRates = new(time, TimeSpan.FromSeconds(10));
    private Task _loop = Task.CompletedTask;

    /// <summary>Starts watching: frames arrive on the reader until <see cref="Unwatch"/>.</summary>
    public ChannelReader<DashboardFrame> Watch()
    {
        var channel = Channel.CreateBounded<DashboardFrame>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _watchers.Add(channel);
            if (_loop.IsCompleted)
            {
                _loop = Task.Run(LoopAsync);
            }
        }

        return channel.Reader;
    }

    public void Unwatch(ChannelReader<DashboardFrame> reader)
    {
        lock (_lock)
        {
            _watchers.RemoveAll(c => c.Reader == reader);
        }
    }

    /// <summary>The rates of the last minutes, oldest first.</summary>
    public IReadOnlyList<RatePoint> History()
    {
        lock (_lock)
        {
            return [.. _history];
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            lock (_lock)
            {
                if (_watchers.Count == 0)
                {
                    return;
                }
            }

            try
            {
                var frame = await ReadGridAsync();
                lock (_lock)
                {
                    foreach (var watcher in _watchers)
                    {
                        watcher.Writer.TryWrite(frame);
                    }
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The grid did not answer this second (a silo dying, say); the next second asks again.
                LogReadFailed(logger, exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync());
    }

    private async Task<DashboardFrame> ReadGridAsync()
    {
        var grid = grains.GetGrain<IGridGrain>(IGridGrain.Key);
        var silosCall = grid.GetSilosAsync();
        var volunteersCall = grid.GetVolunteersAsync();
        var invitationsCall = grains.GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).ListAsync();
        var ids = await grid.ListTasksAsync();
        var tasks = (await Task.WhenAll(ids.TakeLast(MaxTasks).Select(id => grains.GetGrain<ITaskGrain>(id).GetInfoAsync()))).OfType<TaskInfo>().Reverse().ToList();
        var silos = await silosCall;
        var volunteers = await volunteersCall;
        var invitations = await invitationsCall;

        var now = time.GetTimestamp();
        var siloRows = silos.Select(s => new SiloRow(
            s.Name, s.Address, s.Status, s.Scheduler, s.Http, Math.Round(s.Load.CpuPercent, 1), s.Load.MaxCpuPercent, s.Load.MemoryBytes,
            volunteers.Where(v => v.Silo.Address == s.Address && v.Stats?.Kind == VolunteerStats.SiloKind).Sum(v => v.Stats!.Runners),
            s.Load.Capacity, s.Load.RunningJobs, s.Load.QueuedJobs, s.Load.JobsRun, _siloRates.Of(s.Address, s.Load.JobsRun, now))).ToList();
        var volunteerRows = volunteers.Where(v => v.Stats is not null).Select(v =>
        {
            var stats = v.Stats!;
            var browser = stats.Kind == VolunteerStats.BrowserKind;
            var reputation = stats.Reputation;
            return new VolunteerRow(
                browser ? Browsers.VolunteerEndpoints.ShortName(stats.Volunteer) : v.Silo.Name, stats.Kind, v.Silo.Name, stats.Runners, stats.Running,
                stats.ItemsDone, _volunteerRates.Of(stats.Volunteer, stats.ItemsDone, now),
                new JobMs(Math.Round(stats.JobTime.Mean, 2), Math.Round(stats.JobTime.StdDev, 2), Math.Round(stats.JobTime.Min, 2), Math.Round(stats.JobTime.Max, 2)),
                stats.Engine, stats.Agent, reputation?.Agreed ?? 0, reputation?.Disagreed ?? 0, reputation?.IsTrusted(TaskOptions.DefaultTrustAfter) ?? false,
                stats.Invitation);
        }).ToList();
        _siloRates.KeepOnly(silos.Select(s => s.Address));
        _volunteerRates.KeepOnly(volunteers.Where(v => v.Stats is not null).Select(v => v.Stats!.Volunteer));

        var taskRows = tasks.Select(t => TaskRow(t, now)).ToList();
        _taskRates.KeepOnly(tasks.Select(t => t.Id));

        var point = new RatePoint(
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            siloRows.GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(s => s.Rate), StringComparer.Ordinal),
            new Dictionary<string, double>(StringComparer.Ordinal)
            {
                [VolunteerStats.SiloKind] = volunteerRows.Where(v => v.Kind == VolunteerStats.SiloKind).Sum(v => v.Rate),
                [VolunteerStats.BrowserKind] = volunteerRows.Where(v => v.Kind == VolunteerStats.BrowserKind).Sum(v => v.Rate),
            });
        lock (_lock)
        {
            _history.AddLast(point);
            while (_history.First!.Value.T < point.T - (long)HistoryLength.TotalMilliseconds)
            {
                _history.RemoveFirst();
            }
        }

        var invitationRows = invitations.Select(i => new InvitationRow(
            i.Key, i.KindName, i.Label,
            volunteerRows.Count(v => v.Invitation == i.Key),
            i.LinkAt(siloRows.FirstOrDefault(s => s.Status == "Active" && s.Http.Length > 0)?.Http ?? string.Empty))).ToList();
        var snapshot = new Snapshot(time.GetUtcNow(), "admin", siloRows, volunteerRows, taskRows, invitationRows, point, null);
        return new DashboardFrame(snapshot, snapshot with { Role = "viewer", Invitations = null, Volunteers = [.. volunteerRows.Select(v => v with { Invitation = string.Empty })] });
    }

    private TaskRowView TaskRow(TaskInfo task, long now)
    {
        var progress = task.Progress;
        var finished = progress.Done + progress.Failed;
        var rate = _taskRates.Of(task.Id, finished, now);
        var left = progress.Items - finished;
        double? eta = task.State == TaskState.Running && rate > 0 && progress.InputComplete ? Math.Round(left / rate, 1) : null;
        return new TaskRowView(task.Id, task.Module, task.State.ToString().ToLowerInvariant(), progress.Items, progress.InputComplete, progress.Done, progress.Failed, progress.Started, rate, eta, task.Created);
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Debug, Message = "The dashboard could not read the grid this second: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, string reason);
}

/// <summary>One second of the grid, as operators and viewers see it.</summary>
internal sealed record DashboardFrame(Snapshot Operator, Snapshot Viewer);

internal sealed record Snapshot(
    DateTimeOffset Time, string Role, IReadOnlyList<SiloRow> Silos, IReadOnlyList<VolunteerRow> Volunteers, IReadOnlyList<TaskRowView> Tasks,
    IReadOnlyList<InvitationRow>? Invitations, RatePoint Point, IReadOnlyList<RatePoint>? History, bool OrleansDashboard = false);

internal sealed record SiloRow(
    string Name, string Address, string Status, bool Scheduler, string Http, double Cpu, double MaxCpu, long Memory, int Runners, int Capacity,
    int Running, int Queued, long JobsRun, double Rate);

/// <summary>A volunteer; Agreed, Disagreed and Trusted are its reputation from checked results (trusted at the grid's default --trust-after).</summary>
internal sealed record VolunteerRow(
    string Name, string Kind, string Silo, int Cores, int Running, long Done, double Rate, JobMs JobMs, string Engine, string Agent,
    long Agreed, long Disagreed, bool Trusted, [property: JsonIgnore] string Invitation);

internal sealed record JobMs(double Mean, double Sd, double Min, double Max);

internal sealed record TaskRowView(
    string Id, string Module, string State, long Items, bool InputComplete, long Done, long Failed, long Started, double Rate, double? Eta, DateTimeOffset Created);

internal sealed record InvitationRow(string Key, string Kind, string Label, int Browsers, string Link);

/// <summary>Jobs per second at one moment, per silo (by name) and per kind of volunteer.</summary>
internal sealed record RatePoint(long T, IReadOnlyDictionary<string, double> Silos, IReadOnlyDictionary<string, double> Kinds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Snapshot))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
