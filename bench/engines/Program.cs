using System.Diagnostics;
using System.Globalization;
using GridActors.Runner;

// Usage: dotnet run -c Release --project bench/engines -- [MODULE] [ITEM] [RUNS] [--rows]
// Runs MODULE (default examples/pi.js) on ITEM (default 2000000) RUNS times in the runner's two engines and in node, and
// prints a Markdown table of the median and the spread. The first run of each engine is warm-up.
var module = args.Length > 0 ? args[0] : "examples/pi.js";
var item = args.Length > 1 ? args[1] : "2000000";
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;
var rowsOnly = args.Contains("--rows");
var source = File.ReadAllText(module);

var limits = new GridActors.Runner.Engines.EngineLimits(512L << 20, 1 << 20);
var rows = new List<(string Engine, double[] Ms, string Result)>
{
    Measure(GridActors.Runner.Engines.V8TaskEngine.Version + " (GridActors runner)", () => Prepare("v8")),
    Measure(GridActors.Runner.Engines.JintTaskEngine.Version + " (GridActors runner)", () => Prepare("jint")),
    MeasureNode(),
};

if (rowsOnly)
{
    // For bench/run.sh: ENGINE|MEDIAN-MS, one line per engine.
    foreach (var (engine, ms, _) in rows.Where(r => r.Ms.Length > 0))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{engine}|{Median(ms):0.000}"));
    }

    return;
}

Console.WriteLine($"Module {module}, item {item}, {runs} timed runs after one warm-up; machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}.");
Console.WriteLine();
Console.WriteLine("| engine | median ms | min ms | max ms | × node |");
Console.WriteLine("|---|---:|---:|---:|---:|");
var node = rows[^1].Ms.Length > 0 ? Median(rows[^1].Ms) : double.NaN;
foreach (var (engine, ms, _) in rows)
{
    if (ms.Length == 0)
    {
        Console.WriteLine($"| {engine} | n/a | | | |");
        continue;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {engine} | {Median(ms):0.0} | {ms.Min():0.0} | {ms.Max():0.0} | {Median(ms) / node:0.0} |"));
}

Func<string> Prepare(string kind)
{
    var engines = GridActors.Runner.Engines.EngineFactory.Choose(kind, limits);
    var host = new ModuleHost(engines.Load(Path.GetFileName(module), source, limits, CancellationToken.None), TextWriter.Null);
    return () => host.Run(item, string.Empty, Stopwatch.GetTimestamp() + (600 * Stopwatch.Frequency));
}

(string, double[], string) Measure(string engine, Func<Func<string>> prepare)
{
    var run = prepare();
    var result = run();
    var times = new double[runs];
    for (var i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        result = run();
        times[i] = watch.Elapsed.TotalMilliseconds;
    }

    return (engine, times, result);
}

(string, double[], string) MeasureNode()
{
    var script = $$"""
        var module = { exports: {} }; var exports = module.exports;
        {{source}}
        var f = module.exports, item = {{item}}, times = [];
        f(item);
        for (var i = 0; i < {{runs}}; i++) { var t = process.hrtime.bigint(); f(item); times.push(Number(process.hrtime.bigint() - t) / 1e6); }
        console.log(times.join(' '));
        """;
    try
    {
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return ($"node {NodeVersion()} (reference)", [.. output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => double.Parse(t, CultureInfo.InvariantCulture))], string.Empty);
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return ("node (not installed)", [], string.Empty);
    }
}

static string NodeVersion()
{
    using var process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
    return process.StandardOutput.ReadToEnd().Trim();
}

static double Median(double[] values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
