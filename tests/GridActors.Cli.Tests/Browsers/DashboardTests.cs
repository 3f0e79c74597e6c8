using System.Globalization;
using GridActors.Testing;
using Microsoft.Playwright;

namespace GridActors.Cli.Tests.Browsers;

/// <summary>The dashboard at / in a real browser, on a grid whose jobs run in a browser tab.</summary>
public sealed class DashboardTests(BrowserGrid grid) : IClassFixture<BrowserGrid>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => grid.CloseTabsAsync();

    private static readonly float Limit = (float)Eventually.Limit.TotalMilliseconds;

    private string Dashboard => grid.HttpBase;

    [Fact]
    public async Task TheOperatorSeesTheSiloTheBrowserAndTheTask_ItsProgressMoves_AndCancelCancelsIt()
    {
        var volunteer = await grid.VolunteerAsync(await grid.InviteAsync("--label", "dashboard test"));
        var submit = await GridProcess.RunAsync(["submit", Modules.Busy(100), .. Enumerable.Range(1, 300).Select(i => i.ToString(CultureInfo.InvariantCulture)), .. grid.GridOptions]);
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var task = submit.Stdout.Trim();

        var page = await grid.OpenDashboardAsync();

        await page.WaitForSelectorAsync("#silos tbody tr:has-text('browsers')", new() { Timeout = Limit });
        await page.WaitForSelectorAsync("#volunteers tbody tr:has-text('browser-'):has-text('Web Workers')", new() { Timeout = Limit });
        var row = $"#tasks tbody tr:has-text('{task}')";
        await page.WaitForSelectorAsync(row + ":has-text('running')", new() { Timeout = Limit });
        var before = await DoneAsync(page, row);
        await page.WaitForFunctionAsync(
            "([task, before]) => [...document.querySelectorAll('#tasks tbody tr')].some(r => r.textContent.includes(task) && Number(r.children[4].textContent.replace(/,/g, '')) > before)",
            new object[] { task, before }, new() { Timeout = Limit });
        Assert.True(await page.IsVisibleAsync(row + " .bar"), "the task has a progress bar");

        var screenshot = await page.ScreenshotAsync(new() { FullPage = true, Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard.png") });
        Assert.True(screenshot.Length > 10_000 && screenshot[1] == 'P' && screenshot[2] == 'N' && screenshot[3] == 'G', "the screenshot is a PNG of the page");

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.ClickAsync(row + " button:has-text('Cancel')");
        await page.WaitForSelectorAsync(row + ":has-text('cancelled')", new() { Timeout = Limit });
        Assert.Contains("state     cancelled", (await GridProcess.RunAsync(["status", task, .. grid.GridOptions])).Stdout, StringComparison.Ordinal);
        await BrowserGrid.WaitForStateAsync(volunteer, "donating");
        await page.Context.CloseAsync();
        await volunteer.Context.CloseAsync();
    }

    [Fact]
    public async Task ADashboardKey_Watches_ButCannotChangeTheGrid_NorOpenOrleansDashboard_AndIsDroppedWhenRevoked()
    {
        var link = await grid.InviteAsync("--dashboard");
        Assert.StartsWith(Dashboard + "#k=", link, StringComparison.Ordinal);
        var context = await grid.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(link);

        await BrowserGrid.WaitForStateAsync(page, "live");
        Assert.Equal("read-only", await page.TextContentAsync("#role"));
        Assert.False(await page.IsVisibleAsync("#invitations-section"));
        Assert.Equal(0, await page.Locator("#tasks button").CountAsync());
        Assert.DoesNotContain("#k=", page.Url, StringComparison.Ordinal);
        var cancel = await page.APIRequest.PostAsync(Dashboard + "dashboard/tasks/any/cancel", new() { Headers = new Dictionary<string, string> { ["X-GridActors-Dashboard"] = "1" } });
        Assert.Equal(403, cancel.Status);
        Assert.Equal(403, (await page.APIRequest.GetAsync(Dashboard + "orleans/")).Status);

        var operatorPage = await grid.OpenDashboardAsync();
        Assert.Equal(200, (await operatorPage.APIRequest.GetAsync(Dashboard + "orleans/")).Status);

        Assert.Equal(0, (await GridProcess.RunAsync(["invite", "--revoke", BrowserGrid.KeyOf(link), .. grid.GridOptions])).ExitCode);
        await BrowserGrid.WaitForStateAsync(page, "login");
        await context.CloseAsync();
        await operatorPage.Context.CloseAsync();
    }

    [Fact]
    public async Task AWrongSecret_IsRefusedOnThePage()
    {
        var context = await grid.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Dashboard);
        await BrowserGrid.WaitForStateAsync(page, "login");

        await page.FillAsync("#login-key", "not-the-secret");
        await page.ClickAsync("#login button[type=submit]");

        await page.WaitForSelectorAsync("#login-error:has-text('neither the grid')", new() { Timeout = Limit });
        Assert.False(await page.IsVisibleAsync("#board"));
        await context.CloseAsync();
    }

    private static async Task<long> DoneAsync(IPage page, string row) =>
        long.Parse((await page.Locator(row).Locator("td").Nth(4).TextContentAsync() ?? "0").Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
}
