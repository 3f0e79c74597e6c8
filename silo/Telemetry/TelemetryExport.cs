using GridActors.Grains.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace GridActors.Silo.Telemetry;

/// <summary>
/// Exports the silo's traces and metrics over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
/// exporter reads that variable and the other standard OTEL_* ones itself): the grid's own
/// ("GridActors": jobs placed, completed, reissued, failed) beside Orleans' ("Microsoft.Orleans":
/// grain calls, messaging, membership, and its activity sources). Otherwise nothing is collected and
/// the instrumentation costs next to nothing.
/// </summary>
internal sealed class TelemetryExport(TracerProvider tracing, MeterProvider metrics) : IHostedService
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Whether OTLP export is asked for.</summary>
    public static bool IsConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable));

    public static void AddIfConfigured(IServiceCollection services)
    {
        if (!IsConfigured)
        {
            return;
        }

        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .AddSource(GridTelemetry.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
            .AddOtlpExporter()
            .Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder().AddMeter(GridTelemetry.Name, OrleansMeter).AddOtlpExporter().Build());
        services.AddHostedService<TelemetryExport>();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = (tracing, metrics);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        tracing.ForceFlush(2000);
        metrics.ForceFlush(2000);
        return Task.CompletedTask;
    }
}
