using System.Globalization;
using System.Text.Json;
using GridActors.Testing;
using Microsoft.Playwright;

namespace GridActors.Cli.Tests.Browsers;

/// <summary>
/// A browser volunteer that lies: the test tampers with its page through Playwright, so that every
/// result it sends is one more than its worker computed. Beside it, two silos with a runner each
/// answer honestly. Replicas catch the lie; adaptive trust gives the tab single jobs once it has
/// earned them, and takes that back when a random check catches it.
/// </summary>
public sealed class BrowserTrustTests(BrowserGrid grid) : IClassFixture<BrowserGrid>, IAsyncLifetime
{
    /// <summary>The square of its item; each job takes about 15 ms, so that every volunteer gets some.</summary>
    private static readonly string Square = Modules.Write("slow-square.js", """
        module.exports = function (x) {
          var end = Date.now() + 15
          while (Date.now() < end) {}
          return x * x
        }
        """);

    /// <summary>Makes the page add one to every result its workers give, on the way to the silo.</summary>
    private const string Lie = """
        () => {
          const send = WebSocket.prototype.send;
          WebSocket.prototype.send = function (data) {
            const message = JSON.parse(data);
            if (message.t === 'done') {
              for (const job of message.jobs) if (job.ok) job.value = JSON.stringify(JSON.parse(job.value) + 1);
              data = JSON.stringify(message);
            }
            return send.call(this, data);
          };
        }
        """;

    private readonly List<SiloProcess> _silos = [];

    public async Task InitializeAsync()
    {
        _silos.Add(await SiloProcess.StartAsync(grid.Redis, grid.Cluster, Ports.Free(), "runner-" + Guid.NewGuid().ToString("N")[..4]));
        _silos.Add(await SiloProcess.StartAsync(grid.Redis, grid.Cluster, Ports.Free(), "runner-" + Guid.NewGuid().ToString("N")[..4]));
    }

    public async Task DisposeAsync()
    {
        await grid.CloseTabsAsync();
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }

    private static string[] Items(int count) => [.. Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private async Task<List<(long Item, long Result, string[] Volunteers)>> RunAsync(int items, params string[] options)
    {
        var run = await GridProcess.RunAsync(["run", Square, .. Items(items), "--json", .. options, .. grid.GridOptions]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return TrustTests.Checked(run.Stdout);
    }

    /// <summary>The browser volunteer's identity and reputation, as grid volunteers --json lists it.</summary>
    private async Task<(string Name, string Identity, long Agreed, long Disagreed, long Streak)> TabAsync()
    {
        var run = await GridProcess.RunAsync(["volunteers", "--json", .. grid.GridOptions]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var listed = JsonDocument.Parse(run.Stdout);
        var tab = listed.RootElement.EnumerateArray().Single(v => v.GetProperty("kind").GetString() == "browser");
        long Figure(string name) => tab.TryGetProperty(name, out var value) ? value.GetInt64() : 0;
        return (tab.GetProperty("name").GetString()!, tab.GetProperty("identity").GetString()!, Figure("agreed"), Figure("disagreed"), Figure("streak"));
    }

    [Fact]
    public async Task ALyingTab_IsCaughtByTwoReplicas_AndWithOneItsLiesAreTheOutput()
    {
        var page = await grid.VolunteerAsync(await grid.InviteAsync());
        await page.EvaluateAsync(Lie);

        var checkedRun = await RunAsync(60, "--replicas", "2");

        Assert.Equal(60, checkedRun.Count);
        Assert.All(checkedRun, r => Assert.Equal(r.Item * r.Item, r.Result));
        var tab = await TabAsync();
        Assert.DoesNotContain(checkedRun, r => r.Volunteers.Contains(tab.Identity));
        Assert.True(tab.Disagreed > 0 && tab.Agreed == 0, $"the tab should have disagreed, and never agreed: {tab}");

        // The operator's dashboard shows the same: the tab's checks all disagreed and it is not trusted;
        // the honest silos agreed, and with more than ten agreements in a row they are.
        var dashboard = await grid.OpenDashboardAsync();
        await dashboard.WaitForSelectorAsync($"#volunteers tbody tr:has-text('{tab.Name}'):has(td:text-matches('^0 / [1-9][0-9,]*$')):has(td:text-is('no'))", new() { Timeout = (float)Eventually.Limit.TotalMilliseconds });
        foreach (var silo in _silos)
        {
            await dashboard.WaitForSelectorAsync($"#volunteers tbody tr:has-text('{silo.Name}'):has(td:text-matches('^[0-9,]+ / 0$')):has(td:text-is('yes'))", new() { Timeout = (float)Eventually.Limit.TotalMilliseconds });
        }

        var uncheckedRun = await RunAsync(60);
        Assert.Contains(uncheckedRun, r => r.Result == (r.Item * r.Item) + 1);
    }

    [Fact]
    public async Task AdaptiveTrust_GivesAnHonestTabSingleJobs_ThenARandomCheckCatchesItsLie_AndTrustIsWithdrawn()
    {
        var page = await grid.VolunteerAsync(await grid.InviteAsync());
        string[] adaptive = ["--trust", "adaptive", "--trust-after", "3", "--check-share", "0.3"];

        // Honest: its results are replicated until it has agreed three times in a row.
        var earning = await RunAsync(60, adaptive);
        Assert.All(earning, r => Assert.Equal(r.Item * r.Item, r.Result));
        var tab = await TabAsync();
        Assert.True(tab.Streak >= 3, $"the tab should have earned trust: {tab}");

        // Trusted: some of its results now stand alone.
        var trusted = await RunAsync(60, adaptive);
        Assert.All(trusted, r => Assert.Equal(r.Item * r.Item, r.Result));
        Assert.Contains(trusted, r => r.Volunteers.SequenceEqual([tab.Identity]));

        // It turns: a random check catches it, and it is trusted no more.
        await page.EvaluateAsync(Lie);
        var turned = await RunAsync(80, adaptive);
        var after = await TabAsync();
        Assert.True(after.Disagreed > 0 && after.Streak < 3, $"the tab's trust should be withdrawn: {after}");

        // A wrong result can only be one the tab vouched for alone, before it was caught; every checked one is right.
        Assert.All(turned.Where(r => r.Volunteers.Length > 1 || !r.Volunteers.Contains(tab.Identity)), r => Assert.Equal(r.Item * r.Item, r.Result));
        await page.Context.CloseAsync();
    }
}
