using System.Net;
using System.Net.Sockets;
using GridActors.Grains;
using GridActors.Grains.Runners;
using GridActors.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace GridActors.Silo.Hosting;

/// <summary>
/// A whole grid in this process: one Orleans silo with development clustering on a free loopback port
/// (no gateway: this process talks to its grains directly), in-memory reminders and grain state, and
/// runner processes on this machine. It is what `grid run` starts when no grid address is given; two
/// of them on one machine do not meet.
/// </summary>
public sealed class EmbeddedGrid : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private readonly IHost _host;

    private EmbeddedGrid(IHost host) => _host = host;

    /// <summary>Gives references to the grid's grains.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The services of the silo, for diagnostics and tests.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Starts the grid and waits until its runners are ready.</summary>
    public static async Task<EmbeddedGrid> StartAsync(Action<RunnerOptions>? configureRunners = null, Action<ISiloBuilder>? configureSilo = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = Build(FreeLoopbackPort(), configureRunners, configureSilo);
            try
            {
                await host.StartAsync(cancellationToken);
                return new EmbeddedGrid(host);
            }
            catch (Exception exception) when (attempt < StartAttempts && exception.GetBaseException() is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                // Another process took the port between its choice and the bind: choose again.
                host.Dispose();
            }
        }
    }

    /// <summary>Stops the silo and its runners.</summary>
    public async ValueTask DisposeAsync()
    {
        GridLogging.Stopping();
        await _host.StopAsync();
        _host.Dispose();
    }

    private static IHost Build(int siloPort, Action<RunnerOptions>? configureRunners, Action<ISiloBuilder>? configureSilo)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        GridLogging.QuietOrleans(builder.Logging, LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0, serviceId: "embedded", clusterId: "embedded");
            silo.AddMemoryGrainStorage(GridStorage.Name);
            silo.UseInMemoryReminderService();
            silo.Configure<SiloOptions>(o => o.SiloName = "embedded");
            silo.AddGridGrains(configureRunners);
            configureSilo?.Invoke(silo);
        });

        // The command owns Ctrl+C: it cancels its work and then stops this grid. The host's default
        // console lifetime would catch the signal too, stop the silo under a command still using it,
        // and hold the process's exit until the host is gone.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        var host = builder.Build();

        // The runners start now, beside Orleans' own start; the silo waits for them before it is Active.
        _ = host.Services.GetRequiredService<RunnerPool>().StartAsync();
        return host;
    }

    /// <summary>A host lifetime that leaves signals and process exit to the command that owns the grid.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
