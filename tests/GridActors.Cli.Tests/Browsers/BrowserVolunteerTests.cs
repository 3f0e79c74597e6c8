using System.Diagnostics;
using System.Globalization;
using GridActors.Testing;
using Microsoft.Playwright;

namespace GridActors.Cli.Tests.Browsers;

/// <summary>
/// Browser tabs volunteering for a grid whose only silo has no runners: jobs run in the tabs' Web
/// Workers or not at all. Real Chromium, real silo, real Redis.
/// </summary>
public sealed class BrowserVolunteerTests(BrowserGrid grid) : IClassFixture<BrowserGrid>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => grid.CloseTabsAsync();

    private static string Lines(int count) => string.Concat(Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture) + "\n"));

    private Task<GridRun> RunAsync(string module, params string[] items) => GridProcess.RunAsync(["run", module, .. items, .. grid.GridOptions]);

    [Fact]
    public async Task TwoTabs_RunA200ItemTask_InOrder_AndBothDidSome()
    {
        var link = await grid.InviteAsync("--label", "two tabs");
        var first = await grid.VolunteerAsync(link);
        var second = await grid.VolunteerAsync(link);

        var run = await RunAsync(Modules.Busy(5), [.. Enumerable.Range(1, 200).Select(i => i.ToString(CultureInfo.InvariantCulture))]);

        Assert.Equal(new GridRun(0, Lines(200), string.Empty), run);
        var done = await Task.WhenAll(DoneAsync(first), DoneAsync(second));
        Assert.True(done.All(d => d > 0), $"each tab should have run some jobs: {done[0]} and {done[1]}");
        Assert.Equal(200, done.Sum());
        Assert.Equal(done[0].ToString(CultureInfo.InvariantCulture), await first.Locator("#tasks tbody tr td").Nth(2).TextContentAsync());
        await first.ScreenshotAsync(new() { FullPage = true, Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "volunteer.png") });

        var volunteers = await GridProcess.RunAsync(["volunteers", .. grid.GridOptions]);
        Assert.Equal(2, volunteers.Stdout.Split('\n').Count(l => l.StartsWith("browser-", StringComparison.Ordinal) && l.Contains(" browser ", StringComparison.Ordinal)));
        await first.Context.CloseAsync();
        await second.Context.CloseAsync();
    }

    [Fact]
    public async Task KayleesDemos_PiAndTheSaltedMd5Crack_RunOnBrowsersAlone()
    {
        var link = await grid.InviteAsync();
        var page = await grid.VolunteerAsync(link);

        var pi = await RunAsync(Path.Combine(GridProcess.RepositoryRoot, "examples", "pi.js"), "2000000", "2000000", "2000000", "2000000");
        const string Hash = "8aa02ea491bf6d41078b534015782c59";
        var md5 = await RunAsync(Path.Combine(GridProcess.RepositoryRoot, "examples", "md5-crack.js"), $"gr1d:{Hash}:117000-117199", $"gr1d:{Hash}:0-99");

        Assert.True(pi.ExitCode == 0, pi.Stderr);
        var estimates = pi.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, estimates.Length);
        Assert.All(estimates, line => Assert.InRange(double.Parse(line, CultureInfo.InvariantCulture), 3.1, 3.2));
        Assert.Equal(new GridRun(0, "grid\nnull\n", string.Empty), md5);
        Assert.Equal(6, await DoneAsync(page));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ATabClosedMidTask_EveryResultArrivesOnceInOrder_AndTheCloseIsSeenWithinTwoSeconds()
    {
        var link = await grid.InviteAsync();
        var staying = await grid.VolunteerAsync(link);
        var leaving = await grid.VolunteerAsync(link);
        await using var client = StreamingClient.StartThroughRedis(Modules.Busy(40), grid.Redis, grid.Cluster, items: 120);
        await client.ReadAsync(count: 10);
        await WaitForFigureAsync(leaving, "done", "the leaving tab has run jobs");

        var closed = Stopwatch.StartNew();
        var left = grid.Silo.WaitForLineAsync(l => l.Contains("Browser volunteer", StringComparison.Ordinal) && l.Contains(" left, ", StringComparison.Ordinal));
        await leaving.Context.CloseAsync();
        var line = await left;
        var seen = closed.Elapsed;

        var run = await client.FinishAsync(grid.Silo);
        Assert.Equal(new GridRun(0, Lines(120), string.Empty), run);
        Assert.True(seen < TimeSpan.FromSeconds(2), $"the silo saw the tab go after {seen.TotalSeconds:0.00} s: {line}");
        await staying.Context.CloseAsync();
    }

    [Fact]
    public async Task AWrongKey_IsRefusedWithAMessageOnThePage()
    {
        var page = await grid.OpenAsync($"http://127.0.0.1:{grid.Silo.HttpPort}/volunteer#k=not-a-key");

        await BrowserGrid.WaitForStateAsync(page, "refused");
        Assert.Contains("invitation key is not valid", await page.TextContentAsync("#message"), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task APageWithoutAKey_SaysItNeedsAnInvitation()
    {
        var context = await grid.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{grid.Silo.HttpPort}/volunteer");

        await BrowserGrid.WaitForStateAsync(page, "no invitation");
        Assert.Contains("needs an invitation link", await page.TextContentAsync("#message"), StringComparison.Ordinal);
        Assert.True(await page.IsDisabledAsync("#donate"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task RevokingAKey_DropsItsConnectedTab_AndRefusesItFromThenOn()
    {
        var link = await grid.InviteAsync("--label", "to revoke");
        var page = await grid.VolunteerAsync(link);

        var revoke = await GridProcess.RunAsync(["invite", "--revoke", BrowserGrid.KeyOf(link), .. grid.GridOptions]);

        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        Assert.Contains("1 connected browser was dropped", revoke.Stderr, StringComparison.Ordinal);
        try
        {
            await BrowserGrid.WaitForStateAsync(page, "dropped");
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(exception.Message + SiloProcess.Tails([grid.Silo]), exception);
        }

        Assert.Contains("revoked", await page.TextContentAsync("#message"), StringComparison.Ordinal);

        var again = await grid.OpenAsync(link);
        await BrowserGrid.WaitForStateAsync(again, "refused");
        var list = await GridProcess.RunAsync(["invite", "--list", .. grid.GridOptions]);
        Assert.DoesNotContain(BrowserGrid.KeyOf(link), list.Stdout, StringComparison.Ordinal);
        await page.Context.CloseAsync();
        await again.Context.CloseAsync();
    }

    [Fact]
    public async Task TaskCode_InABrowser_ReachesNoNetworkStorageOrScript()
    {
        var module = Modules.Write("reach-out.js", """
            module.exports = async function () {
              const tries = {
                fetch: () => fetch('/healthz'),
                xhr: () => { const x = new XMLHttpRequest(); x.open('GET', '/healthz'); x.send(); },
                websocket: () => new WebSocket('ws://127.0.0.1:9/'),
                importScripts: () => importScripts('/volunteer/volunteer.js'),
                indexedDB: () => indexedDB.open('x'),
                import: () => import(self.location.origin + '/volunteer/volunteer.js'),
                page: () => document.title,
              };
              const out = [];
              for (const [name, attempt] of Object.entries(tries)) {
                try { await attempt(); out.push(name + ': reached'); } catch (e) { out.push(name + ': blocked'); }
              }
              return out.join(', ');
            }
            """);
        var page = await grid.VolunteerAsync(await grid.InviteAsync());

        var run = await RunAsync(module, "1");

        Assert.Equal(new GridRun(0, "fetch: blocked, xhr: blocked, websocket: blocked, importScripts: blocked, indexedDB: blocked, import: blocked, page: blocked\n", string.Empty), run);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Invite_BadInput_IsRefusedWithWhatToDo()
    {
        var unknown = await GridProcess.RunAsync(["invite", "--revoke", "no-such-key", .. grid.GridOptions]);
        var both = await GridProcess.RunAsync(["invite", "--list", "--revoke", "k", .. grid.GridOptions]);
        var noSecret = await GridProcess.RunAsync("invite", "--redis", grid.Redis, "--cluster", grid.Cluster);

        Assert.Equal(new GridRun(2, string.Empty, "grid: no key no-such-key is in use; grid invite --list shows the keys.\n"), unknown);
        Assert.Equal(new GridRun(2, string.Empty, "grid: give --list or --revoke KEY, not both.\n"), both);
        Assert.Equal(2, noSecret.ExitCode);
        Assert.Contains("--secret", noSecret.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModuleThatLoopsForever_HasItsWorkerReplacedAtTheTimeout_AndThePageStaysResponsive()
    {
        var module = Modules.Write("loop-in-browser.js", "module.exports = function (x) { if (x === 2) { while (true) {} } return x * 10 }\n");
        var link = await grid.InviteAsync();
        var page = await grid.VolunteerAsync(link);

        var running = RunAsync(module, ["1", "2", "3", "--job-timeout", "1", "--max-attempts", "1"]);
        await WaitForFigureAsync(page, "running", "the tab is running the task");

        // While a worker spins, the page's own thread answers at once.
        var answered = Stopwatch.StartNew();
        Assert.Equal(2, await page.EvaluateAsync<int>("1 + 1"));
        Assert.True(answered.Elapsed < TimeSpan.FromSeconds(1), $"the page took {answered.Elapsed.TotalMilliseconds:0} ms to answer");

        var run = await running;
        Assert.Equal(new GridRun(1, "10\n30\n", "grid: item 1 (2): timed out after 1 s\n"), run);
        Assert.Equal(1, await BrowserGrid.FigureAsync(page, "failed"));
        Assert.Equal(2, await DoneAsync(page));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task QuickJobsGoToAWorkerTogether_AndOneThatLoopsAmongThem_TimesOutAlone()
    {
        // Quick jobs are handed to a worker several at a time; item 150 never ends, with jobs given after it.
        var module = Modules.Write("quick-but-one.js", "module.exports = function (x) { if (x === 150) { while (true) {} } return x * x }\n");
        var page = await grid.VolunteerAsync(await grid.InviteAsync());

        var run = await RunAsync(module, [.. Enumerable.Range(1, 300).Select(i => i.ToString(CultureInfo.InvariantCulture)), "--job-timeout", "1", "--max-attempts", "1"]);

        var squares = string.Concat(Enumerable.Range(1, 300).Where(i => i != 150).Select(i => $"{i * i}\n"));
        Assert.Equal(new GridRun(1, squares, "grid: item 149 (150): timed out after 1 s\n"), run);
        Assert.Equal(1, await BrowserGrid.FigureAsync(page, "failed"));
        Assert.Equal(299, await DoneAsync(page));
        await page.Context.CloseAsync();
    }

    /// <summary>Waits until a figure the page shows is above zero.</summary>
    private static Task WaitForFigureAsync(IPage page, string id, string what) =>
        page.WaitForFunctionAsync($"() => Number(document.getElementById('{id}').textContent) > 0", null, new PageWaitForFunctionOptions { Timeout = (float)Eventually.Limit.TotalMilliseconds })
            .ContinueWith(t => t.IsFaulted ? throw new TimeoutException(what, t.Exception) : t, TaskScheduler.Default).Unwrap();

    /// <summary>The page's count of jobs done, once it has drawn its last answers.</summary>
    private static async Task<int> DoneAsync(IPage page)
    {
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        return await BrowserGrid.FigureAsync(page, "done");
    }
}
