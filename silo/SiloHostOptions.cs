namespace GridActors.Silo;

/// <summary>How `grid silo` joins a machine to a grid.</summary>
public sealed class SiloHostOptions
{
    /// <summary>The Redis server of the grid, HOST:PORT. Required.</summary>
    public string Redis { get; set; } = string.Empty;

    /// <summary>The cluster id, the prefix of the grid's keys in Redis. Default: "grid".</summary>
    public string Cluster { get; set; } = "grid";

    /// <summary>The port silos and clients connect to. Default: 11111.</summary>
    public int Port { get; set; } = 11111;

    /// <summary>The host other machines reach this silo at. Default: 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The cluster secret every connection must prove. Required.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>CPUs donated: runner processes. Default: every core.</summary>
    public int Cpus { get; set; } = Environment.ProcessorCount;

    /// <summary>The silo takes no new jobs while the machine's CPU use is above this percentage. Default: 100.</summary>
    public double MaxCpu { get; set; } = 100;

    /// <summary>The silo's name. Default: the host name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>How long a task is kept after it ends before the grid deletes it. Default: 7 days.</summary>
    public TimeSpan TaskRetention { get; set; } = TimeSpan.FromDays(7);
}
