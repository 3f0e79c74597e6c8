using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using GridActors.Testing;

namespace GridActors.Cli.Tests.Browsers;

/// <summary>The browser grid's silo, serving its HTTP port as HTTPS with a certificate of its own (grid silo --https-cert --https-key).</summary>
public sealed class HttpsBrowserGrid : BrowserGrid
{
    public (string Certificate, string Key) Files { get; } = Certificates.Write("silo");

    protected override bool Https => true;

    protected override string[] SiloOptions => ["--cpus", "0", "--https-cert", Files.Certificate, "--https-key", Files.Key];
}

/// <summary>
/// A silo that serves HTTPS: invitation links are https://, a tab volunteers over a secure WebSocket,
/// the dashboard's session cookie is Secure, and plain HTTP is not served on the port.
/// </summary>
public sealed class HttpsTests(HttpsBrowserGrid grid) : IClassFixture<HttpsBrowserGrid>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => grid.CloseTabsAsync();

    [Fact]
    public async Task ATabVolunteersOverHttps_TheDashboardCookieIsSecure_AndPlainHttpIsNotServed()
    {
        var link = await grid.InviteAsync();
        Assert.StartsWith($"https://127.0.0.1:{grid.Silo.HttpPort}/volunteer#k=", link, StringComparison.Ordinal);
        var page = await grid.VolunteerAsync(link);

        var run = await GridProcess.RunAsync(["run", "examples/square.js", .. Enumerable.Range(1, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)), .. grid.GridOptions]);

        Assert.Equal(new GridRun(0, string.Concat(Enumerable.Range(1, 20).Select(i => $"{i * i}\n")), string.Empty), run);
        Assert.Equal(20, await BrowserGrid.FigureAsync(page, "done"));

        var dashboard = await grid.OpenDashboardAsync();
        var cookie = Assert.Single(await dashboard.Context.CookiesAsync(), c => c.Name == "gridactors-dashboard");
        Assert.True(cookie.Secure && cookie.HttpOnly, "the session cookie is Secure and HttpOnly over HTTPS");

        // A client that checks the certificate against the one the silo was given reaches /healthz; plain HTTP does not.
        using var expected = X509Certificate2.CreateFromPem(File.ReadAllText(grid.Files.Certificate));
        using var pinned = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHash().SequenceEqual(expected.GetCertHash()) },
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, (await pinned.GetAsync($"https://127.0.0.1:{grid.Silo.HttpPort}/healthz")).StatusCode);
        using var plain = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{grid.Silo.HttpPort}/healthz"));
        await page.Context.CloseAsync();
        await dashboard.Context.CloseAsync();
    }

    [Fact]
    public async Task ASiloBehindAProxy_GivesInvitationLinksAtItsPublicUrl()
    {
        var cluster = "public-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await SiloProcess.StartAsync(grid.Redis, cluster, Ports.Free(), "proxied", "--cpus", "0", "--public-url", "https://grid.example.org/");

        var invite = await GridProcess.RunAsync(["invite", "--redis", grid.Redis, "--cluster", cluster, "--secret", "s3cret"]);

        Assert.True(invite.ExitCode == 0, invite.Stderr);
        Assert.StartsWith("https://grid.example.org/volunteer#k=", invite.Stdout, StringComparison.Ordinal);
    }
}
