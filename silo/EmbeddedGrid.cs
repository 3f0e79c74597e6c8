using GridActors.Grains;
using GridActors.Grains.Runners;
using GridActors.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GridActors.Silo;

/// <summary>
/// A whole grid in this process: one silo with in-memory membership, reminders and state, and runner
/// processes on this machine. It is what `grid run` starts when no grid address is given.
/// </summary>
public sealed class EmbeddedGrid : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedGrid(IHost host) => _host = host;

    /// <summary>Gives references to the grid's grains.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The services of the silo, for diagnostics and tests.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Starts the grid and waits until its runners are ready.</summary>
    public static async Task<EmbeddedGrid> StartAsync(Action<RunnerOptions>? configureRunners = null, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGridSilo(o => o.Name = "embedded");
        builder.Services.AddGridGrains(configureRunners);
        configureServices?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new EmbeddedGrid(host);
    }

    /// <summary>Stops the silo and its runners.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
