using System.Net;
using System.Net.Sockets;
using GridActors.Grains;
using GridActors.Grains.Runners;
using GridActors.Grains.Storage;
using GridActors.Silo.Browsers;
using GridActors.Silo.Dashboard;
using Orleans.Dashboard;
using GridActors.Silo.Security;
using GridActors.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using StackExchange.Redis;

namespace GridActors.Silo.Hosting;

/// <summary>
/// A silo that joins a grid: one Generic Host with an Orleans silo (Redis clustering, reminders and
/// grain state, the grid's grains and this machine's runners) and Kestrel for the silo's HTTP side.
/// Three ports: clients connect to the gateway (--port), silos to each other on the silo port, and
/// HTTP has its own: /healthz, /volunteer with the WebSocket browser volunteers connect over, the
/// dashboard at /, and Orleans' own dashboard at /orleans/ (unless --no-orleans-dashboard).
/// Every connection to the first two proves the cluster secret; a browser proves an invitation key.
/// </summary>
public static class SiloHost
{
    /// <summary>The path of the health endpoint: 200 while the silo is an Active member of its grid.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>Builds the silo's host; <paramref name="configureSilo"/> adjusts the Orleans silo (tests use it).</summary>
    public static WebApplication Build(SiloHostOptions options, GridRedis redis, Action<ISiloBuilder>? configureSilo = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        GridLogging.QuietOrleans(builder.Logging, LogLevel.Warning);

        // A silo that cannot start says why on its own (grid silo prints it); the host's copy is noise.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(options.EffectiveHttpPort, listen =>
        {
            if (options.HttpsCertificate is { } certificate)
            {
                listen.UseHttps(certificate);
            }
        }));

        var secret = new ClusterSecret(options.Secret);
        builder.Services.AddSingleton(secret);
        builder.Services.AddSingleton<DashboardSessions>();
        builder.Services.AddSingleton<DashboardFeed>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.Cluster;
                o.ServiceId = options.Cluster;
            });
            if (options.Kubernetes)
            {
                // The pod's name and IP; Orleans' Kubernetes hosting also watches the grid's pods, so a
                // deleted pod's silo is declared Dead without waiting for missed probes.
                silo.Configure<EndpointOptions>(o =>
                {
                    o.SiloPort = options.EffectiveSiloPort;
                    o.GatewayPort = options.Port;
                });
                silo.UseKubernetesHosting();
            }
            else
            {
                silo.Configure<SiloOptions>(o => o.SiloName = options.Name);
                silo.ConfigureEndpoints(AdvertisedAddress(options.Host), options.EffectiveSiloPort, options.Port, listenOnAnyHostAddress: true);
            }
            silo.UseRedisClustering(o =>
            {
                o.ConfigurationOptions = redis.Options;
                o.CreateMultiplexer = _ => Task.FromResult((redis.Multiplexer, true));
            });
            silo.UseRedisReminderService(o =>
            {
                o.ConfigurationOptions = redis.Options;
                o.CreateMultiplexer = _ => Task.FromResult((redis.Multiplexer, true));
            });
            silo.AddRedisGrainStorage(GridStorage.Name, o =>
            {
                o.ConfigurationOptions = redis.Options;
                o.CreateMultiplexer = _ => Task.FromResult((redis.Multiplexer, true));
                o.DeleteStateOnClear = true;
            });
            silo.Configure<ClusterMembershipOptions>(FailureDetection.Configure);
            silo.Configure<SiloConnectionOptions>(o =>
            {
                o.ConfigureSiloInboundConnection(b => b.UseMiddleware(Acceptor(b.ApplicationServices, secret, options.Cluster)));
                o.ConfigureGatewayInboundConnection(b => b.UseMiddleware(Acceptor(b.ApplicationServices, secret, options.Cluster)));
                o.ConfigureSiloOutboundConnection(b => b.UseMiddleware(new SecretConnectorMiddleware(secret)));
            });
            silo.AddIncomingGrainCallFilter<StorageFaultFilter>();
            if (TelemetryExport.IsConfigured)
            {
                silo.AddActivityPropagation();
            }

            silo.AddGridGrains(
                r =>
                {
                    r.Runners = options.Cpus;
                    r.Engine = options.Engine;
                },
                g =>
                {
                    g.TaskRetention = options.TaskRetention;
                    g.MaxCpuPercent = options.MaxCpu;
                    g.HttpEndpoint = options.HttpEndpoint;
                });
            silo.AddGridRedisStores(redis);
            if (options.OrleansDashboard)
            {
                silo.AddDashboard();
            }

            configureSilo?.Invoke(silo);
        });
        TelemetryExport.AddIfConfigured(builder.Services);

        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(GridLogging.Stopping);

        // The runners start now, beside Orleans' own start; the silo waits for them before it is Active.
        _ = app.Services.GetRequiredService<RunnerPool>().StartAsync();
        app.UseWebSockets();
        app.MapVolunteers();
        app.MapDashboard(options.OrleansDashboard);
        app.MapGet(HealthPath, (HttpContext context) =>
        {
            var services = context.RequestServices;
            var self = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var active = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.TryGetValue(self, out var member) && member.Status == SiloStatus.Active;
            return active ? Results.Text("ok\n") : Results.Text("not active\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    /// <summary>
    /// Checks the secret against the grid's verifier in Redis before the silo joins, and stores the
    /// verifier if this is the grid's first silo. False when the grid's silos use another secret.
    /// </summary>
    /// <exception cref="RedisException">Redis cannot be reached.</exception>
    public static Task<bool> CheckSecretAsync(GridRedis redis, string secret) =>
        SecretVerifier.CheckOrStoreAsync(redis.Database, redis.ClusterId, new ClusterSecret(secret));

    private static SecretAcceptorMiddleware Acceptor(IServiceProvider services, ClusterSecret secret, string clusterId) =>
        new(secret, clusterId, services.GetRequiredService<ILogger<SecretAcceptorMiddleware>>());

    /// <summary>The address peers and clients are told to reach this silo at: --host as an IP address, or the first IPv4 address it resolves to.</summary>
    internal static IPAddress AdvertisedAddress(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"--host {host} resolves to no address; give an IP address other machines reach this silo at.");
    }
}
