using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GridActors.Cli.Submission;
using GridActors.Grid;

// Usage: dotnet GridActors.Bench.Latency.dll HOST:PORT SECRET [TASKS] [WARMUP]
// Submits TASKS one-item tasks (examples/square.js) one after another over one connection to the
// silo at HOST:PORT, after WARMUP untimed ones, and prints the time from submit to result:
// "p50 1.23 p90 ... p99 ... max ... mean ... ms over N tasks", then where the time goes: the p50 of
// the submit call alone (the task's first writes), and of a call through the gateway to the
// scheduler that touches no storage (the grid's messaging alone). The module is stored once, first.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: GridActors.Bench.Latency HOST:PORT SECRET [TASKS] [WARMUP]");
    return 2;
}

var tasks = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
var warmup = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 50;
var source = await File.ReadAllTextAsync("examples/square.js");
var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
var spec = new TaskSpec(hash, "square.js", new TaskOptions(TimeSpan.FromSeconds(60), 3, KeepResults: false));

await using var connection = await GridConnection.ConnectAsync(args[0], args[1], CancellationToken.None);
var grains = connection.Client;
await grains.GetGrain<IModuleGrain>(hash).StoreAsync("square.js", source);

var times = new List<double>(tasks);
var submits = new List<double>(tasks);
for (var i = 0; i < warmup + tasks; i++)
{
    var task = grains.GetGrain<ITaskGrain>("latency-" + Guid.NewGuid().ToString("N")[..12]);
    var started = Stopwatch.GetTimestamp();
    await task.SubmitAsync(spec, [i.ToString(CultureInfo.InvariantCulture)], last: true);
    var submitted = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    while ((await task.ReadResultsAsync(0, 1, TimeSpan.FromSeconds(5))).Results.Count == 0)
    {
    }

    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (i >= warmup)
    {
        times.Add(elapsed);
        submits.Add(submitted);
    }

    await task.DeleteAsync();
}

// After the timed tasks, so they do not change them: the scheduler's round trip on its own.
var calls = new List<double>(tasks);
var scheduler = grains.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);
for (var i = 0; i < warmup + tasks; i++)
{
    var started = Stopwatch.GetTimestamp();
    await scheduler.HeldAsync("latency-none");
    if (i >= warmup)
    {
        calls.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}

times.Sort();
submits.Sort();
calls.Sort();
static double At(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"p50 {At(times, 0.50):0.00} p90 {At(times, 0.90):0.00} p99 {At(times, 0.99):0.00} max {times[^1]:0.00} mean {times.Average():0.00} ms over {times.Count} tasks; submit p50 {At(submits, 0.50):0.00}; scheduler call p50 {At(calls, 0.50):0.00} p99 {At(calls, 0.99):0.00} ms"));
return 0;
