using GridActors.Grains.Runners;
using GridActors.Grains.Scheduling;
using GridActors.Grains.Storage;
using GridActors.Grains.Tasks;
using GridActors.Grains.Volunteers;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace GridActors.Grains.Tests;

/// <summary>
/// Orleans' in-process test cluster with the grid's grains on a real redis-server (grain state,
/// reminders, the task store and the load board, as in a grid of silo processes, so a task outlives the
/// silo that hosted it), one runner per silo, and a fake clock for the grains' timers (Orleans' own
/// background work keeps real time). Grains named in <c>mocked</c> are replaced by this assembly's
/// forwarding grains, which hand each call to the <see cref="Collaborators"/> mocks.
/// </summary>
public sealed class GridTestCluster : IAsyncDisposable
{
    private GridTestCluster(InProcessTestCluster cluster, Collaborators mocks, FakeTimeProvider time, string clusterId)
    {
        Cluster = cluster;
        Mocks = mocks;
        Time = time;
        ClusterId = clusterId;
    }

    public InProcessTestCluster Cluster { get; }

    public Collaborators Mocks { get; }

    public FakeTimeProvider Time { get; }

    public string ClusterId { get; }

    public IClusterClient Client => Cluster.Client;

    /// <summary>The grains a test can replace with mocks.</summary>
    public enum Mocked
    {
        Scheduler,
        Tasks,
        Volunteers,
    }

    public static async Task<GridTestCluster> StartAsync(RedisServer redis, Mocked[] mocked, int silos = 1, Action<GridOptions>? grid = null)
    {
        var mocks = new Collaborators();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ClusterId = clusterId;
        builder.Options.ServiceId = clusterId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            var configuration = GridRedis.Parse(redis.Address);
            silo.UseRedisReminderService(o => o.ConfigurationOptions = configuration);
            silo.AddRedisGrainStorage(GridStorage.Name, o =>
            {
                o.ConfigurationOptions = configuration;
                o.DeleteStateOnClear = true;
            });
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.AddGridGrains(r => r.Runners = 1, grid);
            silo.AddGridRedisStores(new GridRedis(redis.Address, clusterId));
            silo.Services.AddSingleton(mocks);
            silo.Services.AddSingleton<TimeProvider>(time);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.PostConfigure<GrainTypeOptions>(o =>
            {
                Replace(o, mocked.Contains(Mocked.Scheduler), typeof(SchedulerGrain), typeof(ForwardingScheduler));
                Replace(o, mocked.Contains(Mocked.Tasks), typeof(TaskGrain), typeof(ForwardingTask));
                Replace(o, mocked.Contains(Mocked.Volunteers), typeof(VolunteerGrain), typeof(ForwardingVolunteer));
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GridTestCluster(cluster, mocks, time, clusterId);
    }

    /// <summary>The silo the grain is active on, if any.</summary>
    public InProcessSiloHandle? SiloOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) && context.Address.SiloAddress is { } silo ? Cluster.GetSiloForAddress(silo) : null;

    /// <summary>Moves the fake clock on by <paramref name="by"/>, a second at a time, letting grain timers that fall due run.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromSeconds(1))
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    private static void Replace(GrainTypeOptions options, bool mock, Type real, Type forwarding)
    {
        options.Classes.Remove(mock ? real : forwarding);
    }
}
