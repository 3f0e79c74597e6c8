using System.Security.Cryptography.X509Certificates;

namespace GridActors.Silo.Hosting;

/// <summary>How `grid silo` joins a machine to a grid.</summary>
public sealed class SiloHostOptions
{
    /// <summary>The grid's Redis: HOST:PORT, or a StackExchange.Redis configuration string (HOST:PORT,password=...,ssl=true). Required.</summary>
    public string Redis { get; set; } = string.Empty;

    /// <summary>The cluster id: Orleans' cluster and service id, and the prefix of the grid's own keys in Redis. Default: "grid".</summary>
    public string Cluster { get; set; } = "grid";

    /// <summary>The port clients connect to (Orleans' gateway): what --grid HOST:PORT names. Default: 11111.</summary>
    public int Port { get; set; } = 11111;

    /// <summary>The port other silos connect to (Orleans' silo-to-silo port). Default: <see cref="Port"/> + 1.</summary>
    public int? SiloPort { get; set; }

    /// <summary>The port of the silo's HTTP endpoint (/healthz, /volunteer and its WebSocket). Default: <see cref="Port"/> + 2.</summary>
    public int? HttpPort { get; set; }

    /// <summary>The host other machines reach this silo at: an IP address or a name that resolves to one. Default: 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The cluster secret every connection must prove. Required.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>CPUs donated: runner processes. Default: every core.</summary>
    public int Cpus { get; set; } = Environment.ProcessorCount;

    /// <summary>The silo takes no new jobs while the machine's CPU use by other work is above this percentage. Default: 100.</summary>
    public double MaxCpu { get; set; } = 100;

    /// <summary>The JavaScript engine of the silo's runners: "auto" (V8 where it loads, Jint elsewhere), "v8" or "jint". Default: auto.</summary>
    public string Engine { get; set; } = "auto";

    /// <summary>Whether Orleans' own dashboard (Microsoft.Orleans.Dashboard: grains, calls, silos) is added and mounted at /orleans/ for the operator. Default: true.</summary>
    public bool OrleansDashboard { get; set; } = true;

    /// <summary>
    /// Whether the silo is a pod of a Kubernetes Deployment (Microsoft.Orleans.Hosting.Kubernetes):
    /// its name and address are the pod's (POD_NAME, POD_IP, POD_NAMESPACE from the downward API) rather
    /// than <see cref="Name"/> and <see cref="Host"/>, and a pod that is deleted leaves the membership at once.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>The silo's name. Default: the host name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>How long a task is kept after it ends before the grid deletes it. Default: 7 days.</summary>
    public TimeSpan TaskRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The silo-to-silo port in use.</summary>
    public int EffectiveSiloPort => SiloPort ?? Port + 1;

    /// <summary>The HTTP port in use.</summary>
    public int EffectiveHttpPort => HttpPort ?? Port + 2;

    /// <summary>The certificate, with its private key, that the HTTP port serves HTTPS (and the volunteers' WebSocket WSS) with; null: plain HTTP.</summary>
    public X509Certificate2? HttpsCertificate { get; set; }

    /// <summary>
    /// Where browsers reach this silo's HTTP side when a proxy or load balancer stands in front of it
    /// (https://grid.example.org): invitation links and the dashboard use it. Null: the HTTP port at <see cref="Host"/>.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>The silo's HTTP endpoint as browsers reach it: <see cref="PublicUrl"/>, or http(s)://HOST:HTTP-PORT.</summary>
    public string HttpEndpoint =>
        PublicUrl?.TrimEnd('/') ?? $"{(HttpsCertificate is null ? "http" : "https")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{EffectiveHttpPort}";
}
