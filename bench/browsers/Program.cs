// Volunteers headless Chromium tabs for the browsers benchmark: opens TABS tabs on LINK, presses
// each one's donate button, prints "ready" once every tab volunteers, and keeps them open until its
// stdin closes. Then it prints each tab's jobs done and closes the browser.
//
//   dotnet GridActors.Bench.Browsers.dll LINK [TABS]
using System.Globalization;
using Microsoft.Playwright;

if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: GridActors.Bench.Browsers LINK [TABS]");
    return 2;
}

var tabs = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox"],
});
var pages = new List<IPage>();
for (var i = 0; i < tabs; i++)
{
    var page = await (await browser.NewContextAsync()).NewPageAsync();
    await page.GotoAsync(args[0]);
    await page.ClickAsync("#donate");
    await page.WaitForSelectorAsync("body[data-state='donating']", new PageWaitForSelectorOptions { Timeout = 30_000 });
    pages.Add(page);
}

Console.WriteLine("ready");
await Console.In.ReadToEndAsync();
foreach (var page in pages)
{
    Console.WriteLine($"tab done {await page.TextContentAsync("#done")}");
}

return 0;
