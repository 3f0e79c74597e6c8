using System.Text.Json.Serialization.Metadata;
using GridActors.Runtime.Activation;
using GridActors.Runtime.Diagnostics;
using GridActors.Runtime.Directory;
using GridActors.Runtime.Membership;
using GridActors.Runtime.Messaging;
using GridActors.Runtime.Persistence;
using GridActors.Runtime.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime;

/// <summary>Registers the grain runtime. Every method may be called more than once.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo with in-memory providers (membership, reminders, grain state): an embedded silo.
    /// Providers registered before this call win, so a durable provider replaces the in-memory one.
    /// </summary>
    public static IServiceCollection AddGridSilo(this IServiceCollection services, Action<SiloOptions>? configure = null)
    {
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddOptions<SiloOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.Name), "The silo needs a name.")
            .Validate(o => o.Port is >= 0 and <= 65535, "The silo port must be between 0 and 65535.")
            .ValidateOnStart();
        services.AddOptions<MessagingOptions>()
            .Validate(o => o.ResponseTimeout > TimeSpan.Zero, "The grain call timeout must be positive.")
            .ValidateOnStart();
        services.AddOptions<ReminderOptions>()
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.BatchSize > 0, "Reminders need a positive poll interval and batch size.")
            .ValidateOnStart();
        services.AddOptions<MembershipOptions>()
            .Validate(o => o.MaxCpuPercent is > 0 and <= 100, "The CPU threshold must be above 0 and at most 100 percent.")
            .ValidateOnStart();
        services.AddOptions<GrainCollectionOptions>()
            .Validate(o => o.CollectionAge > TimeSpan.Zero && o.CollectionQuantum > TimeSpan.Zero, "Grain collection needs a positive age and quantum.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SiloOptions>>().Value;
            var epoch = sp.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
            return new SiloDetails(new SiloAddress(o.Host, o.Port, epoch), o.Name);
        });

        services.TryAddSingleton<IGrainStorage, InMemoryGrainStorage>();
        services.TryAddSingleton<IReminderTable, InMemoryReminderTable>();
        services.TryAddSingleton<IMembershipTable, InMemoryMembershipTable>();
        services.TryAddSingleton<IGrainDirectory, InMemoryGrainDirectory>();
        services.TryAddSingleton<IRingRange, WholeRing>();

        services.AddMetrics();
        services.TryAddSingleton<GridTelemetry>();
        services.TryAddSingleton<GrainTypeRegistry>();
        services.TryAddSingleton<Catalog>();
        services.TryAddSingleton<MessageCenter>();
        services.TryAddSingleton<IGrainCallInvoker>(sp => sp.GetRequiredService<MessageCenter>());
        services.TryAddSingleton<IGrainFactory, GrainFactory>();
        services.TryAddSingleton<GrainCallCodec>();
        services.AddSerializerContext(PrimitivesJsonContext.Default);
        services.TryAddSingleton(sp => new IncomingCalls(sp.GetRequiredService<GrainCallCodec>(), sp.GetRequiredService<IGrainCallInvoker>()));
        services.TryAddSingleton<PersistentStateFactory>();
        services.TryAddSingleton<ReminderService>();
        services.TryAddSingleton<IReminderRegistry>(sp => sp.GetRequiredService<ReminderService>());
        services.TryAddSingleton<MembershipAgent>();
        services.TryAddSingleton<IClusterMembership>(sp => sp.GetRequiredService<MembershipAgent>());
        services.TryAddSingleton<IPeerSuspicion>(sp => sp.GetRequiredService<MembershipAgent>());
        services.TryAddSingleton<SiloRuntime>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Silo>());
        return services;
    }

    /// <summary>Registers a grain class; its grain interfaces become callable on this silo.</summary>
    public static IServiceCollection AddGrain<TGrain>(this IServiceCollection services)
        where TGrain : Grain
    {
        if (!services.Any(d => d.ImplementationInstance is GrainClassRegistration r && r.Implementation == typeof(TGrain)))
        {
            services.AddSingleton(new GrainClassRegistration(typeof(TGrain)));
        }

        return services;
    }

    /// <summary>Adds a source-generated JSON context for grain state and wire records.</summary>
    public static IServiceCollection AddSerializerContext(this IServiceCollection services, IJsonTypeInfoResolver resolver)
    {
        services.Configure<SerializationOptions>(o =>
        {
            if (!o.Resolvers.Contains(resolver))
            {
                o.Resolvers.Add(resolver);
            }
        });
        return services;
    }
}
