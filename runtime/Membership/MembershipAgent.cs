using System.Diagnostics;
using GridActors.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Membership;

/// <summary>
/// Keeps this silo's row in the membership table: joins (Joining, then Active), writes IAmAlive with
/// the published load, re-reads the table for the local view, and leaves (ShuttingDown, then Dead).
/// </summary>
internal sealed partial class MembershipAgent(
    IMembershipTable table,
    SiloDetails silo,
    IEnumerable<ISiloWorkload> workloads,
    TimeProvider timeProvider,
    IOptions<MembershipOptions> options,
    GridTelemetry telemetry,
    ILogger<MembershipAgent> logger) : IClusterMembership, IAsyncDisposable
{
    private readonly MembershipOptions _options = options.Value;
    private readonly CpuMonitor _cpu = new();
    private IReadOnlyList<MembershipEntry> _members = [];
    private ITimer? _aliveTimer;
    private ITimer? _refreshTimer;

    public IReadOnlyList<MembershipEntry> Members => Volatile.Read(ref _members);

    /// <summary>Raised when this silo reads itself Dead: its peers gave up on it, and it must stop.</summary>
    public event Action? DeclaredDead;

    public async Task JoinAsync()
    {
        var now = timeProvider.GetUtcNow();
        var entry = new MembershipEntry(silo.Address, silo.Name, SiloStatus.Joining, now, now, [], CurrentLoad());
        await WriteConditionallyAsync(entry, insert: true);
        await WriteConditionallyAsync(entry with { Status = SiloStatus.Active }, insert: false);
        await RefreshAsync();
        _aliveTimer = timeProvider.CreateTimer(static s => _ = ((MembershipAgent)s!).SayAliveAsync(), this, _options.IAmAlivePeriod, _options.IAmAlivePeriod);
        _refreshTimer = timeProvider.CreateTimer(static s => _ = ((MembershipAgent)s!).RefreshQuietlyAsync(), this, _options.TableRefreshPeriod, _options.TableRefreshPeriod);
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

    public ValueTask DisposeAsync()
    {
        _aliveTimer?.Dispose();
        _refreshTimer?.Dispose();
        return ValueTask.CompletedTask;
    }

    private IReadOnlyList<MembershipEntry> Publish(MembershipTableData data)
    {
        var members = data.Entries.Select(e => e.Entry).ToArray();
        Volatile.Write(ref _members, members);
        return members;
    }

    internal SiloLoad CurrentLoad()
    {
        var (running, queued, capacity) = (0, 0, 0);
        var own = new List<int>();
        foreach (var workload in workloads)
        {
            var (r, q, c) = workload.GetWorkload();
            running += r;
            queued += q;
            capacity += c;
            own.AddRange(workload.ProcessIds);
        }

        using var process = Process.GetCurrentProcess();
        return new SiloLoad(_cpu.Sample(own), process.WorkingSet64, running, queued, capacity, _options.MaxCpuPercent);
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
        }
        catch (Exception exception)
        {
            LogRefreshFailed(logger, exception);
        }
    }

    /// <summary>
    /// Failure detection: an Active silo whose IAmAlive is older than the death timeout is declared
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

            if (entry.Status == SiloStatus.Active && now - entry.IAmAliveTime > _options.DeathTimeout)
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
