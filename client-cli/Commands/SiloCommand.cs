using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using GridActors.Cli.Config;
using GridActors.Grains.Storage;
using GridActors.Silo.Hosting;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace GridActors.Cli.Commands;

/// <summary>`grid silo --redis HOST:PORT`: joins this machine to a grid and donates its CPUs until stopped.</summary>
internal static class SiloCommand
{
    public static Command Create()
    {
        var redis = GridAddress.Redis($"The grid's Redis server: HOST:PORT, or HOST:PORT,password=P,ssl=true for a guarded one. Required: here, in {GridConfig.RedisVariable}, or as \"redis\" in ~/.gridactors/config.json.");
        var secret = GridAddress.Secret();
        var cluster = GridAddress.Cluster();
        var port = new Option<int>("--port") { Description = "The port clients connect to (grid run --grid HOST:PORT): Orleans' gateway.", DefaultValueFactory = _ => 11111, HelpName = "PORT" };
        var siloPort = new Option<int?>("--silo-port") { Description = "The port the grid's other silos connect to. Default: --port + 1.", HelpName = "PORT" };
        var httpPort = new Option<int?>("--http-port") { Description = "The port of the silo's HTTP endpoint: the dashboard (/), the volunteer page (/volunteer) and /healthz. Default: --port + 2.", HelpName = "PORT" };
        var httpsCert = new Option<FileInfo?>("--https-cert")
        {
            Description = "Serve the HTTP port as HTTPS with this PEM certificate (e.g. Let's Encrypt's fullchain.pem): needed when browsers on other machines volunteer or open the dashboard, whose secret would otherwise cross the network in the clear.",
            HelpName = "FILE",
        };
        var httpsKey = new Option<FileInfo?>("--https-key") { Description = "The certificate's PEM private key (e.g. privkey.pem), unless --https-cert holds it too.", HelpName = "FILE" };
        var publicUrl = new Option<string?>("--public-url")
        {
            Description = "Where browsers reach this silo's HTTP port when a proxy or load balancer is in front of it (e.g. https://grid.example.org): invitation links use it. Default: http(s)://HOST:HTTP-PORT.",
            HelpName = "URL",
        };
        publicUrl.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string?>();
            if (value is not null && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.Fragment.Length == 0))
            {
                r.AddError($"--public-url must be an http:// or https:// address with no query or fragment, such as https://grid.example.org, not {value}.");
            }
        });
        var host = new Option<string>("--host") { Description = "The address other machines reach this silo at.", DefaultValueFactory = _ => "127.0.0.1", HelpName = "HOST" };
        var cpus = new Option<int?>("--cpus") { Description = "CPUs to donate: one runner process each; 0 runs no jobs here but browser volunteers'. Default: every core.", HelpName = "N" };
        var maxCpu = new Option<double>("--max-cpu") { Description = "Take no new jobs while the machine's CPU use by other work (not this silo's jobs) is above this percentage.", DefaultValueFactory = _ => 100, HelpName = "PERCENT" };
        var engine = new Option<string>("--engine")
        {
            Description = "The JavaScript engine of the runners: v8 (fast; native library for linux-x64), jint (a .NET interpreter that runs everywhere, slower, no WebAssembly), or auto: V8 where it loads, Jint elsewhere.",
            DefaultValueFactory = _ => "auto",
            HelpName = "auto|v8|jint",
        };
        engine.AcceptOnlyFromAmong("auto", "v8", "jint");
        var noOrleansDashboard = new Option<bool>("--no-orleans-dashboard")
        {
            Description = "Do not serve Orleans' own dashboard (grains, calls, silos; for the grid's operator) at /orleans/ on the HTTP port, nor profile grain calls for it.",
        };
        var kubernetes = new Option<bool>("--kubernetes")
        {
            Description = "Run as a pod of a Kubernetes Deployment (deploy/k8s): the pod's name and IP (POD_NAME, POD_IP, POD_NAMESPACE from the downward API) are the silo's name and address, instead of --name and --host, and a deleted pod leaves the grid at once. Needs a service account that may get, list, watch and patch pods.",
        };
        var name = new Option<string?>("--name") { Description = "The silo's name. Default: the host name.", HelpName = "NAME" };
        var retention = new Option<double>("--retention")
        {
            Description = "Days a task is kept after it ends (finished, failed or cancelled) before the grid deletes it and its results.",
            DefaultValueFactory = _ => 7,
            HelpName = "DAYS",
        };
        retention.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<double>();
            if (!(value > 0) || value > 36500)
            {
                r.AddError($"--retention must be a number of days above 0 (and at most 36500), not {value}. Try --retention 7.");
            }
        });
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65533)
            {
                r.AddError($"--port must be from 1 to 65533 (the silo and HTTP ports follow it), not {r.GetValueOrDefault<int>()}.");
            }
        });
        foreach (var other in new[] { siloPort, httpPort })
        {
            other.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int?>() is { } value && value is < 1 or > 65535)
                {
                    r.AddError($"{r.Option.Name} must be from 1 to 65535, not {value}.");
                }
            });
        }
        cpus.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0 and var value)
            {
                r.AddError($"--cpus must be 0 or more, not {value} (0: no runners, only browser volunteers run this silo's jobs).");
            }
        });
        maxCpu.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 100)
            {
                r.AddError($"--max-cpu must be above 0 and at most 100, not {r.GetValueOrDefault<double>()}.");
            }
        });

        var command = new Command("silo", "Join this machine to a grid and donate its CPUs until stopped (Ctrl+C or SIGTERM leaves gracefully).")
        {
            redis, secret, cluster, port, siloPort, httpPort, httpsCert, httpsKey, publicUrl, host, cpus, maxCpu, engine, noOrleansDashboard, kubernetes, name, retention,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            GridConfig config;
            try
            {
                config = GridConfig.Load();
            }
            catch (ConfigException exception)
            {
                await Console.Error.WriteLineAsync($"grid: {exception.Message}");
                return ExitCodes.Usage;
            }

            var target = GridAddress.Resolve(config, grid: null, result.GetValue(redis), result.GetValue(secret), result.GetValue(cluster));
            X509Certificate2? certificate = null;
            if (result.GetValue(httpsCert) is { } certFile)
            {
                if (!HttpsCertificates.TryLoad(certFile, result.GetValue(httpsKey), TimeProvider.System, out certificate, out var problem))
                {
                    await Console.Error.WriteLineAsync($"grid: {problem}");
                    return ExitCodes.Usage;
                }
            }
            else if (result.GetValue(httpsKey) is not null)
            {
                await Console.Error.WriteLineAsync("grid: --https-key is the private key of an --https-cert certificate; give the certificate too: --https-cert fullchain.pem --https-key privkey.pem.");
                return ExitCodes.Usage;
            }

            return await RunAsync(
                new SiloHostOptions
                {
                    Redis = target.Redis ?? string.Empty,
                    Secret = target.Secret ?? string.Empty,
                    Cluster = target.Cluster,
                    Port = result.GetValue(port),
                    SiloPort = result.GetValue(siloPort),
                    HttpPort = result.GetValue(httpPort),
                    HttpsCertificate = certificate,
                    PublicUrl = result.GetValue(publicUrl),
                    Host = result.GetValue(host)!,
                    Cpus = result.GetValue(cpus) ?? Environment.ProcessorCount,
                    MaxCpu = result.GetValue(maxCpu),
                    Engine = result.GetValue(engine)!,
                    OrleansDashboard = !result.GetValue(noOrleansDashboard),
                    Kubernetes = result.GetValue(kubernetes),
                    Name = result.GetValue(kubernetes) ? Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName : result.GetValue(name) ?? Environment.MachineName,
                    TaskRetention = TimeSpan.FromDays(result.GetValue(retention)),
                },
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(SiloHostOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            await Console.Error.WriteLineAsync("grid: a silo needs the grid's Redis: grid silo --redis HOST:PORT (or GRIDACTORS_REDIS, or \"redis\" in ~/.gridactors/config.json).");
            return ExitCodes.Usage;
        }

        if (string.IsNullOrEmpty(options.Secret))
        {
            await Console.Error.WriteLineAsync($"grid: a silo needs the cluster secret: --secret SECRET or {GridAddress.SecretVariable}.");
            return ExitCodes.Usage;
        }

        if (options.Kubernetes && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
        {
            await Console.Error.WriteLineAsync("grid: --kubernetes is for a silo that runs as a pod of a Kubernetes Deployment (deploy/k8s), and this is not one (KUBERNETES_SERVICE_HOST is not set). Leave out --kubernetes, and give --host and --name.");
            return ExitCodes.Usage;
        }

        var ports = new[] { options.Port, options.EffectiveSiloPort, options.EffectiveHttpPort };
        if (ports.Distinct().Count() != ports.Length)
        {
            await Console.Error.WriteLineAsync($"grid: the gateway port ({options.Port}), silo port ({options.EffectiveSiloPort}) and HTTP port ({options.EffectiveHttpPort}) must differ.");
            return ExitCodes.Usage;
        }

        GridRedis redis;
        try
        {
            redis = new GridRedis(options.Redis, options.Cluster);
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync($"grid: --redis {options.Redis} is not a Redis address: {exception.Message}. Give HOST:PORT, or a configuration such as HOST:PORT,password=...");
            return ExitCodes.Usage;
        }

        using (redis)
        {
            try
            {
                // Before anything is written into the membership table: a silo with the wrong secret
                // is turned away here, with a message, and leaves no row behind.
                if (!await SiloHost.CheckSecretAsync(redis, options.Secret))
                {
                    await Console.Error.WriteLineAsync($"grid: the silos of cluster '{options.Cluster}' use another secret: this silo's --secret does not match the verifier the grid keeps in Redis at {redis.Describe()}. Give the grid's secret with --secret or {GridAddress.SecretVariable}.");
                    return ExitCodes.Unreachable;
                }
            }
            catch (RedisException exception)
            {
                await Console.Error.WriteLineAsync($"grid: cannot reach Redis at {redis.Describe()} ({exception.Message}). Check the address given with --redis, and that redis-server runs there.");
                return ExitCodes.Unreachable;
            }

            var app = SiloHost.Build(options, redis);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"grid: the silo could not join the grid: {exception.GetBaseException().Message}");
                await app.DisposeAsync();
                return ExitCodes.Unreachable;
            }

            await Console.Error.WriteLineAsync($"grid: silo {options.Name} joined cluster '{options.Cluster}' at {options.Host}:{options.Port} with {options.Cpus} runners (silo port {options.EffectiveSiloPort}, {(options.HttpsCertificate is null ? "HTTP" : "HTTPS")} {options.EffectiveHttpPort}). Ctrl+C leaves the grid.");
            await app.WaitForShutdownAsync(cancellationToken);
            await app.DisposeAsync();
            return ExitCodes.Success;
        }
    }
}
