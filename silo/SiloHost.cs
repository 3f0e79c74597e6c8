using System.Net.WebSockets;
using GridActors.Grains;
using GridActors.Runtime;
using GridActors.Runtime.Messaging;
using GridActors.Runtime.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GridActors.Silo;

/// <summary>
/// A silo that joins a grid: membership, reminders, state and the grain directory in Redis, runners on
/// this machine, and a WebSocket endpoint at /grid where clients and other silos connect with the
/// cluster secret.
/// </summary>
public static partial class SiloHost
{
    /// <summary>The path of the silo's WebSocket endpoint.</summary>
    public const string Endpoint = "/grid";

    /// <summary>Builds the silo's web host.</summary>
    public static WebApplication Build(SiloHostOptions options, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // A silo that cannot start says why on its own (grid silo prints it); the host's copy is noise.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(options.Port));
        builder.Services.AddClusterMessaging(options.Secret);
        builder.Services.AddGridSilo(o =>
        {
            o.Name = options.Name;
            o.Host = options.Host;
            o.Port = options.Port;
        });
        builder.Services.Configure<MembershipOptions>(o => o.MaxCpuPercent = options.MaxCpu);
        builder.Services.AddRedisProviders(o =>
        {
            o.Configuration = options.Redis;
            o.ClusterId = options.Cluster;
        });
        builder.Services.AddGridGrains(r => r.Runners = options.Cpus).AddRedisTaskStore();
        builder.Services.Configure<GridOptions>(o => o.TaskRetention = options.TaskRetention);
        TelemetryExport.AddIfConfigured(builder.Services);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.Map(Endpoint, AcceptAsync);
        return app;
    }

    private static async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("GridActors silo: connect with a WebSocket (grid run --grid HOST:PORT).");
            return;
        }

        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SiloHost));
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        WireChannel channel;
        try
        {
            channel = await WireChannel.AcceptAsync(
                socket,
                services.GetRequiredService<ClusterSecret>(),
                services.GetRequiredService<GrainCallCodec>(),
                services.GetRequiredService<IncomingCalls>().HandleAsync,
                context.RequestAborted);
        }
        catch (UnauthorizedAccessException)
        {
            LogRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return;
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            return;
        }

        await using (channel)
        {
            await channel.Completion;
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Refused a connection from {Remote}: it did not prove the cluster secret")]
    private static partial void LogRefused(ILogger logger, string remote);
}
