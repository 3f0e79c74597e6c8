using System.Diagnostics;
using GridActors.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Membership;

/// <summary>
/// Keeps this silo's row in the membership table: joins (Joining, then Active), writes IAmAlive with
/// the published load, re-reads the table for the local view, and leaves (ShuttingDown, then Dead).
/// It also watches its peers, two ways: a peer whose IAmAlive is older than the death timeout is
/// declared Dead; and, where an <see cref="ISiloProber"/> is registered (a silo of a cluster), it
/// probes the next peers in address order every refresh, and after a few missed probes in a row (or
/// one refused connection: nothing listens there) adds its suspicion vote to the peer's row, which
/// turns Dead once enough fresh votes are there. Where the table announces its changes
/// (<see cref="IMembershipChangeFeed"/>), a change written by any silo is read at once, so a death one
/// silo declares is acted on by all within milliseconds, not at each one's next periodic read.
/// </summary>
internal sealed partial class MembershipAgent(
    IMembershipTable table,
    SiloDetails silo,
    IEnumerable<ISiloWorkload> workloads,
    IEnumerable<ISiloProber> probers,
    TimeProvider timeProvider,
    IOptions<MembershipOptions> options,
    GridTelemetry telemetry,
    ILogger<MembershipAgent> logger) : IClusterMembership, IPeerSuspicion, IAsyncDisposable
{
    private readonly MembershipOptions _options = options.Value;
    private readonly CpuMonitor _cpu = new();
    private readonly ISiloProber? _prober = probers.FirstOrDefault();
    private readonly Lock _probeLock = new();
    private readonly Dictionary<SiloAddress, int> _missedProbes = [];
    private readonly HashSet<SiloAddress> _probing = [];
    private readonly Lock _viewLock = new();
    private IReadOnlyList<MembershipEntry> _members = [];
    private int _viewVersion = -1;
    private ITimer? _aliveTimer;
    private ITimer? _refreshTimer;
    private IAsyncDisposable? _changeFeed;
    private int _notices;

    public IReadOnlyList<MembershipEntry> Members => Volatile.Read(ref _members);

    /// <inheritdoc/>
    public event Action? Changed;

    /// <summary>Raised when this silo reads itself Dead: its peers gave up on it, and it must stop.</summary>
    public event Action? DeclaredDead;

    /// <summary>
    /// Writes this silo's row as Joining and starts IAmAlive and the reading of the table. Peers neither
    /// probe a Joining silo nor place work on it, and clients do not pick it as a gateway: it may not
    /// answer on its endpoint yet.
    /// </summary>
    public async Task JoinAsync()
    {
        var now = timeProvider.GetUtcNow();
        var entry = new MembershipEntry(silo.Address, silo.Name, SiloStatus.Joining, now, now, [], CurrentLoad());
        if (table is IMembershipChangeFeed feed)
        {
            _changeFeed = await feed.SubscribeAsync(OnTableChanged);
        }

        await WriteConditionallyAsync(entry, insert: true);
        await RefreshAsync();
        _aliveTimer = timeProvider.CreateTimer(static s => _ = ((MembershipAgent)s!).SayAliveAsync(), this, _options.IAmAlivePeriod, _options.IAmAlivePeriod);
        _refreshTimer = timeProvider.CreateTimer(static s => _ = ((MembershipAgent)s!).RefreshQuietlyAsync(), this, _options.TableRefreshPeriod, _options.TableRefreshPeriod);
    }

    /// <summary>
    /// Marks this silo Active, once it has started and answers on its endpoint. A silo its peers declared
    /// Dead while it was starting stays Dead: it cannot come back under the same epoch.
    /// </summary>
    public async Task BecomeActiveAsync()
    {
        while (true)
        {
            var data = await table.ReadAllAsync();
            var (entry, etag) = data.Entries.FirstOrDefault(e => e.Entry.Address == silo.Address);
            if (entry?.Status != SiloStatus.Joining)
            {
                throw new InvalidOperationException(
                    $"Silo {silo.Address} was {entry?.Status.ToString() ?? "removed from the membership table"} before it finished starting: its peers heard nothing from it for {_options.DeathTimeout.TotalSeconds:0.#} s. Start it again.");
            }

            var active = entry with { Status = SiloStatus.Active, IAmAliveTime = timeProvider.GetUtcNow(), Load = CurrentLoad() };
            if (await table.UpdateRowAsync(active, etag, data.Version.Next()))
            {
                telemetry.MembershipChanges.Add(1, new KeyValuePair<string, object?>("status", nameof(SiloStatus.Active)));
                break;
            }
        }

        await RefreshAsync();
        LogJoined(logger, silo.Address, silo.Name);
    }

    public async Task LeaveAsync(SiloStatus status)
    {
        var data = await table.ReadAllAsync();
        var (entry, etag) = data.Entries.FirstOrDefault(e => e.Entry.Address == silo.Address);
        if (entry is not null)
        {
            if (await table.UpdateRowAsync(entry with { Status = status }, etag, data.Version.Next()))
            {
                telemetry.MembershipChanges.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));
            }
        }
    }

    public async Task<IReadOnlyList<MembershipEntry>> RefreshAsync() => Publish(await table.ReadAllAsync());

    public async ValueTask DisposeAsync()
    {
        _aliveTimer?.Dispose();
        _refreshTimer?.Dispose();
        if (_changeFeed is not null)
        {
            try
            {
                await _changeFeed.DisposeAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The store is away as the silo stops; the subscription goes with the connection.
                LogRefreshFailed(logger, exception);
            }
        }
    }

    /// <summary>
    /// A row was written: read the table now, unless the view has that version already (this silo wrote
    /// it, or read after it). Notices that come during a read fold into one more read after it.
    /// </summary>
    private void OnTableChanged(int version)
    {
        if (version > Volatile.Read(ref _viewVersion) && Interlocked.Increment(ref _notices) == 1)
        {
            _ = Task.Run(ReadOnNoticesAsync);
        }
    }

    private async Task ReadOnNoticesAsync()
    {
        var seen = Volatile.Read(ref _notices);
        while (true)
        {
            try
            {
                Publish(await table.ReadAllAsync());
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogRefreshFailed(logger, exception);
            }

            var now = Interlocked.CompareExchange(ref _notices, 0, seen);
            if (now == seen)
            {
                return;
            }

            seen = now;
        }
    }

    private IReadOnlyList<MembershipEntry> Publish(MembershipTableData data)
    {
        var members = data.Entries.Select(e => e.Entry).ToArray();
        IReadOnlyList<MembershipEntry> before;
        lock (_viewLock)
        {
            // Reads on notices and on the timer overlap: one that started before a write may end after
            // a read that saw it, and must not put the older view back.
            if (data.Version.Version < _viewVersion)
            {
                return _members;
            }

            _viewVersion = data.Version.Version;
            before = _members;
            Volatile.Write(ref _members, members);
        }

        if (!Statuses(before).SetEquals(Statuses(members)))
        {
            Changed?.Invoke();
        }

        ProbeSuspects(members);
        return members;
    }

    /// <inheritdoc/>
    public void PeerMayBeDown(SiloAddress peer)
    {
        if (_prober is not null && peer != silo.Address && Members.Any(m => m.Address == peer && m.Status == SiloStatus.Active))
        {
            ProbeNow(peer);
        }
    }

    /// <summary>
    /// Probes at once each Active peer that another silo has lately voted against: a refused probe adds
    /// this silo's vote straight away, so a death needs one round of probes, not one round per voter.
    /// </summary>
    private void ProbeSuspects(IEnumerable<MembershipEntry> members)
    {
        if (_prober is null)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        foreach (var member in members.Where(m => m.Status == SiloStatus.Active && m.Address != silo.Address))
        {
            if (member.Suspicions.Any(v => v.Voter != silo.Address && now - v.Time < _options.VoteExpiration))
            {
                ProbeNow(member.Address);
            }
        }
    }

    private void ProbeNow(SiloAddress peer)
    {
        lock (_probeLock)
        {
            if (!_probing.Add(peer))
            {
                return;
            }
        }

        _ = ProbeAsync(peer);
    }

    private static HashSet<(SiloAddress, SiloStatus)> Statuses(IEnumerable<MembershipEntry> members) => [.. members.Select(m => (m.Address, m.Status))];

    internal SiloLoad CurrentLoad()
    {
        var (running, queued, capacity, run) = (0, 0, 0, 0L);
        var own = new List<int>();
        foreach (var workload in workloads)
        {
            var (r, q, c) = workload.GetWorkload();
            running += r;
            queued += q;
            capacity += c;
            run += workload.JobsRun;
            own.AddRange(workload.ProcessIds);
        }

        using var process = Process.GetCurrentProcess();
        return new SiloLoad(_cpu.Sample(own), process.WorkingSet64, running, queued, capacity, _options.MaxCpuPercent, run);
    }

    private async Task WriteConditionallyAsync(MembershipEntry entry, bool insert)
    {
        while (true)
        {
            var data = await table.ReadAllAsync();
            if (insert && data.Entries.Any(e => e.Entry.Address == entry.Address))
            {
                throw new InvalidOperationException(
                    $"Silo {entry.Address} is already in the membership table. A silo restarted on the same host and port joins with a new epoch; give it a moment or another port.");
            }

            var written = insert
                ? await table.InsertRowAsync(entry, data.Version.Next())
                : await table.UpdateRowAsync(entry, data.Entries.Single(e => e.Entry.Address == entry.Address).ETag, data.Version.Next());
            if (written)
            {
                telemetry.MembershipChanges.Add(1, new KeyValuePair<string, object?>("status", entry.Status.ToString()));
                return;
            }
        }
    }

    private async Task SayAliveAsync()
    {
        try
        {
            await table.UpdateIAmAliveAsync(silo.Address, timeProvider.GetUtcNow(), CurrentLoad());
        }
        catch (Exception exception)
        {
            LogAliveFailed(logger, exception);
        }
    }

    private async Task RefreshQuietlyAsync()
    {
        try
        {
            var data = await table.ReadAllAsync();
            Publish(data);
            await DeclareSilentSilosDeadAsync(data);
            ProbePeers(data);
        }
        catch (Exception exception)
        {
            LogRefreshFailed(logger, exception);
        }
    }

    /// <summary>
    /// Failure detection: an Active or Joining silo whose IAmAlive is older than the death timeout is declared
    /// Dead with a conditional write (one of the peers that notice wins; the others see it done).
    /// </summary>
    private async Task DeclareSilentSilosDeadAsync(MembershipTableData data)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (entry, etag) in data.Entries)
        {
            if (entry.Address == silo.Address)
            {
                if (entry.Status == SiloStatus.Dead)
                {
                    LogDeclaredDead(logger, silo.Address);
                    DeclaredDead?.Invoke();
                }

                continue;
            }

            if (entry.Status is SiloStatus.Active or SiloStatus.Joining && now - entry.IAmAliveTime > _options.DeathTimeout)
            {
                var dead = entry with { Status = SiloStatus.Dead, Suspicions = [.. entry.Suspicions, new Suspicion(silo.Address, now)] };
                if (await table.UpdateRowAsync(dead, etag, data.Version.Next()))
                {
                    telemetry.MembershipChanges.Add(1, new KeyValuePair<string, object?>("status", nameof(SiloStatus.Dead)));
                    LogSiloDead(logger, entry.Address, entry.Name, (now - entry.IAmAliveTime).TotalSeconds);
                    await RefreshAsync();
                }

                return;
            }
        }
    }

    /// <summary>Starts a probe of each of the next Active peers after this silo that has none in flight.</summary>
    private void ProbePeers(MembershipTableData data)
    {
        if (_prober is null)
        {
            return;
        }

        var active = data.Entries.Select(e => e.Entry).Where(e => e.Status == SiloStatus.Active).Select(e => e.Address)
            .OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
        var self = active.IndexOf(silo.Address);
        if (self < 0)
        {
            return;
        }

        var targets = Enumerable.Range(1, Math.Min(_options.ProbedPeers, active.Count - 1)).Select(i => active[(self + i) % active.Count]).ToList();
        lock (_probeLock)
        {
            foreach (var gone in _missedProbes.Keys.Where(a => !targets.Contains(a)).ToList())
            {
                _missedProbes.Remove(gone);
            }

            targets.RemoveAll(t => !_probing.Add(t));
        }

        foreach (var target in targets)
        {
            _ = ProbeAsync(target);
        }
    }

    private async Task ProbeAsync(SiloAddress target)
    {
        bool answered;
        var refused = false;
        var started = timeProvider.GetTimestamp();
        try
        {
            answered = await _prober!.ProbeAsync(target, CancellationToken.None).WaitAsync(_options.ProbeTimeout, timeProvider);
        }
        catch (ProbeRefusedException)
        {
            // Nothing listens on the peer's port: it is gone, and one refusal says so as surely as several.
            (answered, refused) = (false, true);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            answered = false;
        }

        // A probe that took far longer than its timeout to give up tells of this silo, starved of CPU
        // (its own timers ran late), more than of the peer: it is not counted either way.
        var starved = !answered && timeProvider.GetElapsedTime(started) > _options.ProbeTimeout * 1.5;
        int missed;
        lock (_probeLock)
        {
            _probing.Remove(target);
            missed = answered ? 0 : refused ? Math.Max(_options.MissedProbesLimit, _missedProbes.GetValueOrDefault(target) + 1) : _missedProbes.GetValueOrDefault(target) + (starved ? 0 : 1);
            _missedProbes[target] = missed;
        }

        if (missed >= _options.MissedProbesLimit)
        {
            try
            {
                await VoteAsync(target, missed);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogRefreshFailed(logger, exception);
            }
        }
    }

    /// <summary>Adds this silo's vote to the peer's row; with enough fresh votes the same write declares it Dead.</summary>
    private async Task VoteAsync(SiloAddress target, int missed)
    {
        var data = await table.ReadAllAsync();
        var (entry, etag) = data.Entries.FirstOrDefault(e => e.Entry.Address == target);
        if (entry is null || entry.Status != SiloStatus.Active)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        List<Suspicion> votes = [.. entry.Suspicions.Where(v => v.Voter != silo.Address && now - v.Time < _options.VoteExpiration), new Suspicion(silo.Address, now)];
        var voters = data.Entries.Count(e => e.Entry.Status == SiloStatus.Active && e.Entry.Address != target);
        var dead = votes.Count >= Math.Min(_options.VotesForDeath, Math.Max(1, voters));
        var updated = entry with { Suspicions = votes, Status = dead ? SiloStatus.Dead : SiloStatus.Active };
        if (await table.UpdateRowAsync(updated, etag, data.Version.Next()) && dead)
        {
            telemetry.MembershipChanges.Add(1, new KeyValuePair<string, object?>("status", nameof(SiloStatus.Dead)));
            LogSiloVotedDead(logger, entry.Address, entry.Name, votes.Count, missed);
            await RefreshAsync();
        }
    }

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Silo {Address} ({Name}) declared Dead: {Votes} suspicion votes, this silo's after {Missed} missed probes")]
    private static partial void LogSiloVotedDead(ILogger logger, SiloAddress address, string name, int votes, int missed);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Silo {Address} ({Name}) declared Dead: no IAmAlive for {Seconds:0.0} s")]
    private static partial void LogSiloDead(ILogger logger, SiloAddress address, string name, double seconds);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "This silo ({Address}) was declared Dead by its peers; it stops")]
    private static partial void LogDeclaredDead(ILogger logger, SiloAddress address);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Silo {Address} ({Name}) joined the cluster")]
    private static partial void LogJoined(ILogger logger, SiloAddress address, string name);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Writing IAmAlive failed")]
    private static partial void LogAliveFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Reading the membership table failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
