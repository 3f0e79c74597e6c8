using GridActors.Runtime.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace GridActors.Silo;

/// <summary>
/// Exports the silo's traces and metrics over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
/// exporter reads that variable and the other standard OTEL_* ones itself); otherwise nothing is
/// collected and the instrumentation costs next to nothing.
/// </summary>
internal sealed class TelemetryExport(TracerProvider tracing, MeterProvider metrics) : IHostedService
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddIfConfigured(IServiceCollection services)
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable)))
        {
            return;
        }

        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder().AddSource(GridTelemetry.Name).AddOtlpExporter().Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder().AddMeter(GridTelemetry.Name).AddOtlpExporter().Build());
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
