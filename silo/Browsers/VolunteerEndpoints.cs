using System.Net.WebSockets;
using System.Text.Json;
using GridActors.Grains.Browsers;
using GridActors.Grains.Runners;
using GridActors.Grid;
using GridActors.Silo.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Silo.Browsers;

/// <summary>
/// The silo's side of browser volunteers: the /volunteer page, its worker script, and the WebSocket a
/// tab volunteers over. A tab proves an invitation key in its first message; the cluster secret never
/// reaches a browser, and a volunteer key lets a tab run jobs and nothing else.
/// </summary>
internal static partial class VolunteerEndpoints
{
    /// <summary>The volunteer page.</summary>
    public const string PagePath = "/volunteer";

    /// <summary>The WebSocket tabs volunteer over.</summary>
    public const string SocketPath = "/volunteer/socket";

    /// <summary>How long a tab has to send its hello once connected.</summary>
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Pings keep the connection checked: a tab that sleeps or loses its network is dropped within about two seconds, as a dead silo is.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(1);

    public static void MapVolunteers(this WebApplication app)
    {
        // The page runs no script but its own, and reaches nothing but its silo; the worker reaches
        // nothing at all, and may evaluate only the module it is given.
        app.MapGet(PagePath, context => WebAssets.ServeAsync(context, "volunteer.html", PagePolicy(context)));
        app.MapGet(PagePath + "/volunteer.js", context => WebAssets.ServeAsync(context, "volunteer.js", PagePolicy(context)));
        app.MapGet(PagePath + "/volunteer.css", context => WebAssets.ServeAsync(context, "volunteer.css", PagePolicy(context)));
        app.MapGet(PagePath + "/worker.js", context => WebAssets.ServeAsync(context, "worker.js", "default-src 'none'; script-src blob: 'unsafe-eval'"));
        app.Map(SocketPath, VolunteerAsync);
    }

    private static string PagePolicy(HttpContext context) =>
        $"default-src 'none'; script-src 'self'; style-src 'self'; worker-src 'self'; img-src 'self' data:; connect-src 'self' ws://{context.Request.Host} wss://{context.Request.Host}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static async Task VolunteerAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"This is the WebSocket of browser volunteers; open {PagePath}#k=KEY in a browser (grid invite makes the link).\n");
            return;
        }

        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("GridActors.Browsers");
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = KeepAlive, KeepAliveTimeout = 2 * KeepAlive });
        var hello = await ReadHelloAsync(socket, context.RequestAborted);
        if (hello is null)
        {
            await RefuseAsync(socket, "it did not say hello with an invitation key within 10 s");
            return;
        }

        var (key, browser, cores, agent, engine) = hello.Value;
        var grains = services.GetRequiredService<IGrainFactory>();
        Invitation? invitation;
        try
        {
            invitation = await grains.GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).FindAsync(key);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            await RefuseAsync(socket, $"the grid could not check the invitation key ({exception.GetBaseException().Message}); try again shortly");
            return;
        }

        if (invitation is null)
        {
            LogRefused(logger, "unknown or revoked key");
            await RefuseAsync(socket, "the invitation key is not valid: it was revoked, or never made. Ask the grid's operator for a new link");
            return;
        }

        if (invitation.Kind != InvitationKind.Volunteer)
        {
            await RefuseAsync(socket, "this key is for the dashboard, not for volunteering");
            return;
        }

        var silo = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var sessions = services.GetRequiredService<BrowserSessions>();
        var id = BrowserSessions.NewId(silo);
        var session = new BrowserSession(
            id, key, browser ?? id[(id.LastIndexOf('/') + 1)..], agent, engine, cores, socket, sessions,
            services.GetRequiredService<IOptions<RunnerOptions>>().Value.OutputLimitBytes,
            services.GetRequiredService<TimeProvider>(), logger);
        sessions.Add(session);
        var volunteer = grains.GetGrain<IVolunteerGrain>(id);
        try
        {
            await volunteer.StartAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            sessions.Remove(session);
            await RefuseAsync(socket, $"the silo could not start its volunteer ({exception.GetBaseException().Message}); try again shortly");
            return;
        }

        LogJoined(logger, id, session.Size, engine);
        session.Send(BrowserSession.Message(w =>
        {
            w.WriteString("t", "welcome");
            w.WriteString("volunteer", ShortName(id));
        }));
        await session.RunAsync(_ => volunteer.AnnounceAsync());
    }

    /// <summary>How grid volunteers and the page name a tab: "browser-" and the end of its id.</summary>
    public static string ShortName(string volunteer) => "browser-" + volunteer[(volunteer.LastIndexOf('/') + 1)..][..6];

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_-]{6,32}$")]
    private static partial System.Text.RegularExpressions.Regex BrowserIdPattern();

    private static async Task<(string Key, string? Browser, int Cores, string Agent, string Engine)?> ReadHelloAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HelloTimeout);
        var buffer = new byte[64 * 1024];
        var length = 0;
        try
        {
            ValueWebSocketReceiveResult received;
            do
            {
                if (length == buffer.Length)
                {
                    return null;
                }

                received = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += received.Count;
            }
            while (!received.EndOfMessage && received.MessageType == WebSocketMessageType.Text);

            using var hello = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = hello.RootElement;
            if (root.GetProperty("t").GetString() != "hello" || root.GetProperty("key").GetString() is not { Length: > 0 } key)
            {
                return null;
            }

            var cores = root.TryGetProperty("cores", out var c) && c.TryGetInt32(out var n) ? n : 1;
            var agent = root.TryGetProperty("agent", out var a) ? a.GetString() ?? string.Empty : string.Empty;
            var engine = root.TryGetProperty("engine", out var e) ? e.GetString() ?? "a browser" : "a browser";
            // The browser's own id, kept in its storage: its reputation follows it from tab to tab.
            var browser = root.TryGetProperty("browser", out var b) && b.GetString() is { } text && BrowserIdPattern().IsMatch(text) ? text : null;
            return (key, browser, cores, Trim(agent, 300), Trim(engine, 80));
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static string Trim(string text, int length) => text.Length > length ? text[..length] : text;

    private static async Task RefuseAsync(WebSocket socket, string reason)
    {
        try
        {
            var message = BrowserSession.Message(w =>
            {
                w.WriteString("t", "refused");
                w.WriteString("reason", reason);
            });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "refused", timeout.Token);

            // Until the tab answers the close: the connection is not cut under the message.
            var buffer = new byte[1024];
            while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The tab is gone already.
        }
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Browser volunteer {Volunteer} joined with {Cores} cores ({Engine})")]
    private static partial void LogJoined(ILogger logger, string volunteer, int cores, string engine);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "A browser was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
