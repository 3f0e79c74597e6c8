using GridActors.Grains.Runners;
using GridActors.Grains.Storage;
using GridActors.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GridActors.Grains;

/// <summary>Registers the grid's grains and the silo's runner pool.</summary>
public static class GridGrainsServiceCollectionExtensions
{
    /// <summary>Adds the task, job, scheduler, volunteer and module grains, and runners for this silo's volunteer.</summary>
    public static IServiceCollection AddGridGrains(this IServiceCollection services, Action<RunnerOptions>? configureRunners = null)
    {
        if (configureRunners is not null)
        {
            services.Configure(configureRunners);
        }

        services.AddOptions<RunnerOptions>()
            .Validate(o => o.Runners >= 1, "A silo needs at least one runner (--cpus 1 or more).")
            .Validate(o => o.MemoryLimitBytes >= 32L * 1024 * 1024, "The runner memory limit must be at least 32 MiB.")
            .Validate(o => o.OutputLimitBytes >= 1, "The output limit must be at least one byte.")
            .Validate(o => o.PipelineDepth >= 1 && o.RecursionLimit >= 1, "Runner pipeline depth and recursion limit must be positive.")
            .ValidateOnStart();
        services.AddOptions<GridOptions>()
            .Validate(o => o.LeaseCheckPeriod >= TimeSpan.FromSeconds(1) && o.TaskCheckPeriod >= TimeSpan.FromSeconds(1), "The lease and task check periods must be at least 1 s.")
            .Validate(o => o.VolunteerAnnouncePeriod > TimeSpan.Zero, "The volunteer announcement period must be positive.")
            .Validate(o => o.MaxActiveJobsPerTask >= 1 && o.MaxPrefetchPerRunner >= 1, "Active jobs and prefetch must be positive.")
            .ValidateOnStart();

        services.AddGrain<TaskGrain>();
        services.AddGrain<JobGrain>();
        services.AddGrain<SchedulerGrain>();
        services.AddGrain<VolunteerGrain>();
        services.AddGrain<ModuleGrain>();
        services.AddGrain<GridGrain>();
        services.AddSerializerContext(GrainsJsonContext.Default);
        services.AddSerializerContext(Grid.GridJsonContext.Default);

        services.TryAddSingleton<ITaskStore, InMemoryTaskStore>();
        services.TryAddSingleton<VolunteerWatch>();
        services.TryAddSingleton<RunnerPool>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISiloWorkload, RunnerPool>(sp => sp.GetRequiredService<RunnerPool>()));
        services.TryAddSingleton<VolunteerService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISiloStartupTask, VolunteerStartup>());
        return services;
    }

    /// <summary>Keeps tasks' items and results in the silo's Redis (after AddRedisProviders), so tasks outlive the silos that run them.</summary>
    public static IServiceCollection AddRedisTaskStore(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ITaskStore, RedisTaskStore>());
        return services;
    }
}
