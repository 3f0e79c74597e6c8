using GridActors.Runtime.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GridActors.Runtime.Messaging;

/// <summary>Makes a silo one of several: grain calls routed across silos, reminders split among them.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>Routes grain calls through the grain directory and over channels to the other silos, which prove <paramref name="secret"/>.</summary>
    public static IServiceCollection AddClusterMessaging(this IServiceCollection services, string secret)
    {
        services.TryAddSingleton(new ClusterSecret(secret));
        services.TryAddSingleton<SiloConnections>();
        services.TryAddSingleton<ClusterRouter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISiloProber, HttpSiloProber>());
        services.Replace(ServiceDescriptor.Singleton<IGrainCallInvoker>(sp => sp.GetRequiredService<ClusterRouter>()));
        services.Replace(ServiceDescriptor.Singleton<IRingRange, MembershipRing>());
        return services;
    }
}
