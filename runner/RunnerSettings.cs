using System.Globalization;

namespace GridActors.Runner;

/// <summary>The runner's limits and engine, from its command line (the silo sets them).</summary>
internal sealed class RunnerSettings
{
    public long OutputLimitBytes { get; init; } = 1024 * 1024;

    /// <summary>Each task engine's heap, and separately its ArrayBuffer and WebAssembly memory.</summary>
    public long MemoryLimitBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>The stack a module's code may use.</summary>
    public long StackLimitBytes { get; init; } = 1024 * 1024;

    /// <summary>"auto", "v8" or "jint".</summary>
    public string Engine { get; init; } = "auto";

    /// <summary>How many tasks' engines the runner keeps.</summary>
    public int EngineCacheSize { get; init; } = 8;

    public static RunnerSettings Parse(string[] args)
    {
        long output = 1024 * 1024, memory = 512L * 1024 * 1024, stack = 1024 * 1024;
        var engine = "auto";
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--output-limit":
                    output = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--memory-limit":
                    memory = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--stack-limit":
                    stack = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--engine" when args[i + 1] is "auto" or "v8" or "jint":
                    engine = args[i + 1];
                    break;
                default:
                    throw new ArgumentException($"unknown runner option {args[i]} {args[i + 1]}");
            }
        }

        return new RunnerSettings { OutputLimitBytes = output, MemoryLimitBytes = memory, StackLimitBytes = stack, Engine = engine };
    }
}
