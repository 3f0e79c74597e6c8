using GridActors.Runtime.Directory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GridActors.Runtime.Redis;

/// <summary>Puts a silo's membership, directory, reminders and grain state in Redis.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>Replaces the in-memory providers with Redis ones, whether called before or after AddGridSilo.</summary>
    public static IServiceCollection AddRedisProviders(this IServiceCollection services, Action<RedisOptions> configure)
    {
        services.Configure(configure);
        services.AddOptions<RedisOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.Configuration), "Redis needs an address: --redis HOST:PORT.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ClusterId) && !o.ClusterId.Contains('{', StringComparison.Ordinal) && !o.ClusterId.Contains('}', StringComparison.Ordinal), "The cluster id must be non-empty and have no braces.")
            .ValidateOnStart();
        services.TryAddSingleton<RedisConnection>();
        services.Replace(ServiceDescriptor.Singleton<IMembershipTable, RedisMembershipTable>());
        services.Replace(ServiceDescriptor.Singleton<IReminderTable, RedisReminderTable>());
        services.Replace(ServiceDescriptor.Singleton<IGrainStorage, RedisGrainStorage>());
        services.Replace(ServiceDescriptor.Singleton<IGrainDirectory, RedisGrainDirectory>());
        return services;
    }
}
