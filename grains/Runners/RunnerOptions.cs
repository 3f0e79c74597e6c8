namespace GridActors.Grains.Runners;

/// <summary>The silo's runner processes and their limits.</summary>
public sealed class RunnerOptions
{
    /// <summary>Runner processes, one per donated CPU. Default: every core of the machine.</summary>
    public int Runners { get; set; } = Environment.ProcessorCount;

    /// <summary>The memory limit of each runner (its GC heap limit). Default: 512 MiB.</summary>
    public long MemoryLimitBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>The largest result a job may return, as JSON. Default: 1 MiB.</summary>
    public long OutputLimitBytes { get; set; } = 1024 * 1024;

    /// <summary>How deep module code may recurse. Default: 5,000 calls.</summary>
    public int RecursionLimit { get; set; } = 5000;

    /// <summary>The most jobs sent ahead to one runner, so it never waits for the silo between trivial jobs. Default: 64.</summary>
    public int PipelineDepth { get; set; } = 64;

    /// <summary>How long a runner may take to start. Default: 30 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often running jobs are checked against their time and memory limits. Default: 100 ms.</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The runner assembly. Default: GridActors.Runner.dll beside the silo.</summary>
    public string RunnerPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "GridActors.Runner.dll");

    /// <summary>Where runners' console output goes, line by line. Default: the silo's log.</summary>
    public Action<string>? ConsoleOutput { get; set; }
}
