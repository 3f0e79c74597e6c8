using GridActors.Grains.Browsers;
using GridActors.Grains.Diagnostics;
using GridActors.Grains.Runners;
using GridActors.Grains.Silos;
using GridActors.Grains.Storage;
using GridActors.Grains.Tasks;
using GridActors.Grains.Volunteers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GridActors.Grains;

/// <summary>Adds the grid to an Orleans silo: its grains, the runner pool, the load board and the services that act on membership news.</summary>
public static class GridGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Adds the grid's grains and their services with in-memory stores (an embedded grid). Stores
    /// registered before this call win, so <see cref="AddGridRedisStores"/> may come first or after.
    /// </summary>
    public static ISiloBuilder AddGridGrains(this ISiloBuilder silo, Action<RunnerOptions>? configureRunners = null, Action<GridOptions>? configureGrid = null)
    {
        var services = silo.Services;
        if (configureRunners is not null)
        {
            services.Configure(configureRunners);
        }

        if (configureGrid is not null)
        {
            services.Configure(configureGrid);
        }

        services.AddOptions<RunnerOptions>()
            .Validate(o => o.Runners >= 0, "The number of runners cannot be negative (--cpus 0 or more).")
            .Validate(o => o.MemoryLimitBytes >= 32L * 1024 * 1024, "The runner memory limit must be at least 32 MiB.")
            .Validate(o => o.OutputLimitBytes >= 1, "The output limit must be at least one byte.")
            .Validate(o => o.PipelineDepth >= 1 && o.StackLimitBytes >= 64 * 1024, "Runner pipeline depth must be positive and the stack limit at least 64 KiB.")
            .Validate(o => o.Engine is "auto" or "v8" or "jint", "The engine must be auto, v8 or jint.")
            .ValidateOnStart();
        services.AddOptions<GridOptions>()
            .Validate(o => o.LeaseCheckPeriod >= TimeSpan.FromMilliseconds(100), "The lease check period must be at least 100 ms.")
            .Validate<IOptions<ReminderOptions>>(
                (o, reminders) => o.TaskCheckPeriod >= reminders.Value.MinimumReminderPeriod && o.RetentionCheckPeriod >= reminders.Value.MinimumReminderPeriod,
                "The task reminders' periods must be at least Orleans' minimum reminder period (ReminderOptions.MinimumReminderPeriod, 1 minute unless set).")
            .Validate(o => o.VolunteerAnnouncePeriod > TimeSpan.Zero && o.LoadPublishPeriod > TimeSpan.Zero, "The announcement and load periods must be positive.")
            .Validate(o => o.MaxActiveJobsPerTask >= 1 && o.MaxPrefetchPerRunner >= 1 && o.HandOverAttempts >= 1, "Active jobs, prefetch and hand-over attempts must be positive.")
            .Validate(o => o.MaxCpuPercent is > 0 and <= 100, "The CPU threshold must be above 0 and at most 100 percent.")
            .ValidateOnStart();

        services.AddMetrics();
        services.TryAddSingleton<GridTelemetry>();
        services.TryAddSingleton<ITaskStore, InMemoryTaskStore>();
        services.TryAddSingleton<ISiloLoadBoard, InMemorySiloLoadBoard>();
        services.TryAddSingleton<LocalTasks>();
        services.TryAddSingleton<RunnerPool>();
        services.TryAddSingleton<BrowserSessions>();
        services.TryAddSingleton<VolunteerStartup>();
        services.TryAddSingleton<SiloLoadPublisher>();
        services.TryAddSingleton<SiloDeathWatch>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, VolunteerStartup>(sp => sp.GetRequiredService<VolunteerStartup>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, SiloLoadPublisher>(sp => sp.GetRequiredService<SiloLoadPublisher>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, SiloDeathWatch>(sp => sp.GetRequiredService<SiloDeathWatch>()));
        if (!services.Any(d => d.ServiceType == typeof(SiloBoundPlacementDirector) || (d.IsKeyedService && d.KeyedImplementationType == typeof(SiloBoundPlacementDirector))))
        {
            services.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        }

        return silo;
    }

    /// <summary>Keeps tasks' items and results, and the silos' loads, in the grid's Redis, so tasks outlive the silos that run them.</summary>
    public static ISiloBuilder AddGridRedisStores(this ISiloBuilder silo, GridRedis redis)
    {
        silo.Services.AddSingleton(redis);
        silo.Services.Replace(ServiceDescriptor.Singleton<ITaskStore, RedisTaskStore>());
        silo.Services.Replace(ServiceDescriptor.Singleton<ISiloLoadBoard, RedisSiloLoadBoard>());
        return silo;
    }
}
