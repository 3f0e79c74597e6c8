using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GridActors.Cli.Submission;
using GridActors.Grid;

// Usage: dotnet GridActors.Bench.Latency.dll HOST:PORT SECRET [TASKS] [WARMUP]
// Submits TASKS one-item tasks (examples/square.js) one after another over one connection to the
// silo at HOST:PORT, after WARMUP untimed ones, and prints the time from submit to result:
// "p50 1.23 p90 ... p99 ... max ... mean ... ms over N tasks". The module is stored once, first.
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
for (var i = 0; i < warmup + tasks; i++)
{
    var task = grains.GetGrain<ITaskGrain>("latency-" + Guid.NewGuid().ToString("N")[..12]);
    var started = Stopwatch.GetTimestamp();
    await task.SubmitAsync(spec, [i.ToString(CultureInfo.InvariantCulture)], last: true);
    while ((await task.ReadResultsAsync(0, 1, TimeSpan.FromSeconds(5))).Results.Count == 0)
    {
    }

    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (i >= warmup)
    {
        times.Add(elapsed);
    }

    await task.DeleteAsync();
}

times.Sort();
double At(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"p50 {At(0.50):0.00} p90 {At(0.90):0.00} p99 {At(0.99):0.00} max {times[^1]:0.00} mean {times.Average():0.00} ms over {times.Count} tasks"));
return 0;
