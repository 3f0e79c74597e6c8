using System.Text.Json;
using GridActors.Testing;

namespace GridActors.Cli.Tests;

/// <summary>
/// Replicas and quorum on real silos, one of which answers differently: it runs its modules in Jint,
/// which has no WebAssembly, and the module's answer depends on that, as a result can depend on a
/// machine's floating point or libraries. No lying code is in the grid; the module differs by machine.
/// </summary>
public sealed class TrustTests : IClassFixture<RedisServer>, IAsyncLifetime
{
    /// <summary>The square of its item, plus one where the engine has no WebAssembly; each job takes about 20 ms, so every silo gets some.</summary>
    private static readonly string MachineDependent = Modules.Write("machine-dependent.js", """
        module.exports = function (x) {
          var end = Date.now() + 20
          while (Date.now() < end) {}
          return typeof WebAssembly === 'object' ? x * x : x * x + 1
        }
        """);

    private readonly RedisServer _redis;
    private readonly string _cluster = "trust-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<SiloProcess> _silos = [];

    public TrustTests(RedisServer redis) => _redis = redis;

    private string[] Grid => ["--redis", _redis.Address, "--cluster", _cluster, "--secret", "s3cret"];

    private static readonly string[] Items = [.. Enumerable.Range(1, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public async Task InitializeAsync()
    {
        _silos.Add(await SiloProcess.StartAsync(_redis.Address, _cluster, Ports.Free(), "honest-a", "--engine", "v8"));
        _silos.Add(await SiloProcess.StartAsync(_redis.Address, _cluster, Ports.Free(), "honest-b", "--engine", "v8"));
        _silos.Add(await SiloProcess.StartAsync(_redis.Address, _cluster, Ports.Free(), "odd-one", "--engine", "jint"));
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }

    private async Task<List<(long Item, long Result, string[] Volunteers)>> RunAsync(params string[] options)
    {
        var run = await GridProcess.RunAsync(["run", MachineDependent, .. Items, "--json", .. options, .. Grid]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return Checked(run.Stdout);
    }

    /// <summary>The lines of grid run --json with whole-number items and results: each with the volunteers that vouched for it (none when unchecked).</summary>
    internal static List<(long Item, long Result, string[] Volunteers)> Checked(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var volunteers = root.TryGetProperty("volunteers", out var v) ? v.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
            return (root.GetProperty("item").GetInt64(), root.GetProperty("result").GetInt64(), volunteers);
        })];

    [Fact]
    public async Task WithTwoReplicas_TheOddAnswerIsCaught_OnDifferentMachines_AndWithOneItGoesThrough()
    {
        var checkedRun = await RunAsync("--replicas", "2");

        Assert.Equal(Items.Length, checkedRun.Count);
        Assert.All(checkedRun, r => Assert.Equal(r.Item * r.Item, r.Result));

        // Each result was vouched for by two different silos, never the odd one.
        Assert.All(checkedRun, r => Assert.Equal(2, r.Volunteers.Distinct().Count()));
        Assert.DoesNotContain(checkedRun, r => r.Volunteers.Contains("odd-one"));

        // Its reputation shows it.
        var volunteers = await GridProcess.RunAsync(["volunteers", "--json", .. Grid]);
        Assert.True(volunteers.ExitCode == 0, volunteers.Stderr);
        using var listed = JsonDocument.Parse(volunteers.Stdout);
        var odd = listed.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "odd-one");
        Assert.True(odd.GetProperty("disagreed").GetInt64() > 0, volunteers.Stdout);
        Assert.Equal(0, odd.GetProperty("agreed").GetInt64());
        var honest = listed.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "honest-a");
        Assert.True(honest.GetProperty("agreed").GetInt64() > 0, volunteers.Stdout);

        // Without replicas, whatever the odd silo ran is printed as it said: why replicas exist.
        var uncheckedRun = await RunAsync();
        Assert.Equal(Items.Length, uncheckedRun.Count);
        Assert.Contains(uncheckedRun, r => r.Result == (r.Item * r.Item) + 1);
        Assert.All(uncheckedRun, r => Assert.Empty(r.Volunteers));
    }

    [Fact]
    public async Task AModulesCompareFunction_LetsResultsThatDifferByNoiseAgree()
    {
        var noisy = Modules.Write("noisy.js", """
            module.exports = function (x) {
              var end = Date.now() + 20
              while (Date.now() < end) {}
              return x / 3 + (typeof WebAssembly === 'object' ? 0 : 1e-12)
            }
            module.exports.compare = function (a, b) { return Math.abs(a - b) < 1e-9 }
            """);

        var run = await GridProcess.RunAsync(["run", noisy, .. Items, "--json", "--replicas", "2", .. Grid]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var results = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(Items.Length, results.Count);
        Assert.All(results, r => Assert.Equal(r.GetProperty("item").GetDouble() / 3, r.GetProperty("result").GetDouble(), 1e-9));

        // The odd silo's answers agreed with the others' by the module's judgement, not by their JSON.
        Assert.Contains(results, r => r.GetProperty("volunteers").EnumerateArray().Any(v => v.GetString() == "odd-one"));
    }

    [Fact]
    public async Task AQuorumOfTwoOfThree_WithOneMachineOdd_GetsEveryItemRight()
    {
        var run = await RunAsync("--replicas", "3", "--quorum", "2");

        Assert.Equal(Items.Length, run.Count);
        Assert.All(run, r => Assert.Equal(r.Item * r.Item, r.Result));
        Assert.All(run, r => Assert.Equal(["honest-a", "honest-b"], r.Volunteers.Order()));
    }
}
