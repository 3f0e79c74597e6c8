namespace GridActors.Grains.Runners;

/// <summary>The silo's runner processes and their limits.</summary>
public sealed class RunnerOptions
{
    /// <summary>Runner processes, one per donated CPU. Default: every core of the machine.</summary>
    public int Runners { get; set; } = Environment.ProcessorCount;

    /// <summary>The memory limit of each task's engine in a runner (V8's heap, and separately its ArrayBuffer and WebAssembly memory). Default: 512 MiB.</summary>
    public long MemoryLimitBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>The largest result a job may return, as JSON. Default: 1 MiB.</summary>
    public long OutputLimitBytes { get; set; } = 1024 * 1024;

    /// <summary>How much stack module code may use; recursion past it is a RangeError, as in node. Default: 1 MiB (about node's depth).</summary>
    public long StackLimitBytes { get; set; } = 1024 * 1024;

    /// <summary>The JavaScript engine: "auto" (V8 where its native library loads, Jint elsewhere), "v8" or "jint". Default: auto.</summary>
    public string Engine { get; set; } = "auto";

    /// <summary>How long past a job's time limit the silo waits for the runner to stop it before killing the runner. Default: 1 s.</summary>
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(1);

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
