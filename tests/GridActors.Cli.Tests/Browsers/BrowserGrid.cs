using GridActors.Testing;
using Microsoft.Playwright;

namespace GridActors.Cli.Tests.Browsers;

/// <summary>
/// A grid for the browser tests: a real redis-server, one `grid silo --cpus 0` (no runners, so only
/// browser tabs run its jobs), and Debian's Chromium driven by Playwright, headless. Each test makes
/// its own invitation and opens its own tabs.
/// </summary>
public class BrowserGrid : IAsyncLifetime
{
    /// <summary>Debian's Chromium, which ./test.sh installs; Playwright's own browser download is not used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly RedisServer _redis = new();
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private SiloProcess? _silo;
    private readonly List<IBrowserContext> _contexts = [];

    public string Cluster { get; } = "browsers-" + Guid.NewGuid().ToString("N")[..8];

    public string Redis => _redis.Address;

    public int Port { get; } = Ports.Free();

    internal SiloProcess Silo => _silo ?? throw new InvalidOperationException("The grid has not started.");

    /// <summary>Where browsers reach the silo: http://127.0.0.1:PORT/, or https:// for a grid that serves HTTPS.</summary>
    public string HttpBase => $"{(Https ? "https" : "http")}://127.0.0.1:{Silo.HttpPort}/";

    /// <summary>Whether the silo serves HTTPS; its tabs then accept its certificate, which no authority signed.</summary>
    protected virtual bool Https => false;

    /// <summary>The silo's options beyond the grid's own.</summary>
    protected virtual string[] SiloOptions => ["--cpus", "0"];

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    /// <summary>The options every grid command of these tests takes: this grid's Redis, cluster and secret.</summary>
    public string[] GridOptions => ["--redis", Redis, "--cluster", Cluster, "--secret", "s3cret"];

    public virtual async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"the browser tests need Chromium at {ChromiumPath}: ./test.sh installs it (apt-get install chromium).");
        var silo = SiloProcess.StartAsync(Redis, Cluster, Port, "browsers", SiloOptions);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        _silo = await silo;
    }

    public virtual async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _redis.Dispose();
    }

    /// <summary>Makes an invitation with grid invite; returns its link.</summary>
    public async Task<string> InviteAsync(params string[] options)
    {
        var run = await GridProcess.RunAsync(["invite", .. options, .. GridOptions]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var link = run.Stdout.Trim();
        Assert.StartsWith(HttpBase, link);
        return link;
    }

    /// <summary>The key of a link made by <see cref="InviteAsync"/>.</summary>
    public static string KeyOf(string link) => link[(link.IndexOf("#k=", StringComparison.Ordinal) + 3)..];

    /// <summary>A browser context of its own (cookies, storage), closed by <see cref="CloseTabsAsync"/> at the latest.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = Https });
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        return context;
    }

    /// <summary>Closes every tab a test opened, passed or failed, so none of them volunteers for the next test's task.</summary>
    public async Task CloseTabsAsync()
    {
        List<IBrowserContext> contexts;
        lock (_contexts)
        {
            contexts = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Opens a link in a tab of its own and presses the donate button.</summary>
    public async Task<IPage> OpenAsync(string link)
    {
        var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        await page.ClickAsync("#donate");
        return page;
    }

    /// <summary>Opens a link and waits until the tab volunteers.</summary>
    public async Task<IPage> VolunteerAsync(string link)
    {
        var page = await OpenAsync(link);
        await WaitForStateAsync(page, "donating");
        return page;
    }

    /// <summary>Opens the silo's dashboard in a tab of its own and signs in with the cluster secret, as the grid's operator.</summary>
    public async Task<IPage> OpenDashboardAsync()
    {
        var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(HttpBase);
        await WaitForStateAsync(page, "login");
        await page.FillAsync("#login-key", "s3cret");
        await page.ClickAsync("#login button[type=submit]");
        await WaitForStateAsync(page, "live");
        Assert.Equal("operator", await page.TextContentAsync("#role"));
        return page;
    }

    /// <summary>Waits until the page's state (body's data-state) is <paramref name="state"/>.</summary>
    public static async Task WaitForStateAsync(IPage page, string state)
    {
        try
        {
            await page.WaitForSelectorAsync($"body[data-state='{state}']", new PageWaitForSelectorOptions { Timeout = (float)Eventually.Limit.TotalMilliseconds });
        }
        catch (TimeoutException exception)
        {
            var now = await page.EvaluateAsync<string>("() => document.body.dataset.state + ': ' + (document.getElementById('message') || document.getElementById('login-error') || {}).textContent");
            throw new TimeoutException($"the page did not reach state '{state}' within {Eventually.Limit.TotalSeconds} s; it is in {now}", exception);
        }
    }

    /// <summary>A figure the page shows (done, failed, running).</summary>
    public static async Task<int> FigureAsync(IPage page, string id) =>
        int.Parse(await page.TextContentAsync("#" + id) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
}
