using System.Globalization;

namespace GridActors.Runner;

/// <summary>The runner's limits, from its command line (the silo sets them).</summary>
internal sealed class RunnerSettings
{
    public long OutputLimitBytes { get; init; } = 1024 * 1024;

    public long MemoryLimitBytes { get; init; } = 512L * 1024 * 1024;

    public int RecursionLimit { get; init; } = 5000;

    public int ModuleCacheSize { get; init; } = 8;

    public static RunnerSettings Parse(string[] args)
    {
        long output = 1024 * 1024, memory = 512L * 1024 * 1024;
        var recursion = 5000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--output-limit":
                    output = value;
                    break;
                case "--memory-limit":
                    memory = value;
                    break;
                case "--recursion-limit":
                    recursion = checked((int)value);
                    break;
                default:
                    throw new ArgumentException($"unknown runner option {args[i]}");
            }
        }

        return new RunnerSettings { OutputLimitBytes = output, MemoryLimitBytes = memory, RecursionLimit = recursion };
    }
}
