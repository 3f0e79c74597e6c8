using System.CommandLine;
using GridActors.Cli.Config;
using GridActors.Silo;
using Microsoft.Extensions.Hosting;

namespace GridActors.Cli.Commands;

/// <summary>`grid silo --redis HOST:PORT`: joins this machine to a grid and donates its CPUs until stopped.</summary>
internal static class SiloCommand
{
    public static Command Create()
    {
        var redis = GridAddress.Redis($"The grid's Redis server. Required: here, in {GridConfig.RedisVariable}, or as \"redis\" in ~/.gridactors/config.json.");
        var secret = GridAddress.Secret();
        var cluster = GridAddress.Cluster();
        var port = new Option<int>("--port") { Description = "The port clients connect to.", DefaultValueFactory = _ => 11111, HelpName = "PORT" };
        var host = new Option<string>("--host") { Description = "The address other machines reach this silo at.", DefaultValueFactory = _ => "127.0.0.1", HelpName = "HOST" };
        var cpus = new Option<int?>("--cpus") { Description = "CPUs to donate: one runner process each. Default: every core.", HelpName = "N" };
        var maxCpu = new Option<double>("--max-cpu") { Description = "Take no new jobs while the machine's CPU use by other work (not this silo's jobs) is above this percentage.", DefaultValueFactory = _ => 100, HelpName = "PERCENT" };
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
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError($"--port must be from 1 to 65535, not {r.GetValueOrDefault<int>()}.");
            }
        });
        cpus.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 and var value)
            {
                r.AddError($"--cpus must be at least 1, not {value}.");
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
            redis, secret, cluster, port, host, cpus, maxCpu, name, retention,
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
            return await RunAsync(
                new SiloHostOptions
                {
                    Redis = target.Redis ?? string.Empty,
                    Secret = target.Secret ?? string.Empty,
                    Cluster = target.Cluster,
                    Port = result.GetValue(port),
                    Host = result.GetValue(host)!,
                    Cpus = result.GetValue(cpus) ?? Environment.ProcessorCount,
                    MaxCpu = result.GetValue(maxCpu),
                    Name = result.GetValue(name) ?? Environment.MachineName,
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

        var app = SiloHost.Build(options);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidOperationException or StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException or IOException)
        {
            await Console.Error.WriteLineAsync($"grid: the silo could not join the grid: {exception.Message}");
            await app.DisposeAsync();
            return ExitCodes.Unreachable;
        }

        await Console.Error.WriteLineAsync($"grid: silo {options.Name} joined cluster '{options.Cluster}' at {options.Host}:{options.Port} with {options.Cpus} runners. Ctrl+C leaves the grid.");
        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return ExitCodes.Success;
    }
}
