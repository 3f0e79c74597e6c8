using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GridActors.Runtime.Tests;

internal static class RuntimeFixture
{
    public static Task<TestSilo> StartAsync(Probe probe, Action<IServiceCollection>? configure = null) => TestSilo.StartAsync(services =>
    {
        services.AddSingleton(probe);
        services.AddGrain<ProbeGrain>();
        services.AddGrain<RemindedGrain>();
        services.AddSerializerContext(TestJsonContext.Default);
        configure?.Invoke(services);
    });
}
