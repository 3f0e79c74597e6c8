using GridActors.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GridActors.Testing;

/// <summary>A silo with in-memory providers and a fake clock, started in the test's process.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private TestSilo(IHost host, FakeTimeProvider time)
    {
        _host = host;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<TestSilo> StartAsync(Action<IServiceCollection> configure)
    {
        var time = new FakeTimeProvider();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddGridSilo(o => o.Name = "test");
        configure(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host, time);
    }

    /// <summary>
    /// Stops the silo. Its shutdown grace period runs on the fake clock, so the clock is moved on
    /// while the silo stops: a grain stuck in a turn delays the stop by the grace period, not forever.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var stopping = _host.StopAsync();
        while (await Task.WhenAny(stopping, Task.Delay(10)) != stopping)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        await stopping;
        _host.Dispose();
    }
}
