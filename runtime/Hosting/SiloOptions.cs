namespace GridActors.Runtime;

/// <summary>Who the silo is and where it listens.</summary>
public sealed class SiloOptions
{
    /// <summary>The silo's human name. Default: the machine's host name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>The host other silos reach this one at. Default: 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The silo's port; 0 for an embedded silo that listens nowhere. Default: 0.</summary>
    public int Port { get; set; }

    /// <summary>How long a stopping silo waits for its grains to deactivate. Default: 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
