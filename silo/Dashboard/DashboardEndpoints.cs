using System.Text;
using System.Text.Json;
using GridActors.Grid;
using GridActors.Silo.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace GridActors.Silo.Dashboard;

/// <summary>
/// The dashboard at / on every silo: the page, the session it opens with the cluster secret or a
/// dashboard key, the live feed as server-sent events, the operator's actions (cancel a task, make or
/// revoke an invitation), and (when the silo has it) Orleans' own dashboard under /orleans/ for the operator.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>Where Orleans' own dashboard (grain-level statistics) is mounted.</summary>
    public const string OrleansPath = "/orleans";

    /// <summary>The header every change must carry: a page of another origin cannot send it without the silo's leave.</summary>
    private const string ChangeHeader = "X-GridActors-Dashboard";

    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Maps the dashboard; with <paramref name="orleansDashboard"/>, Orleans' own under <see cref="OrleansPath"/>.</summary>
    public static void MapDashboard(this WebApplication app, bool orleansDashboard)
    {
        app.MapGet("/", context => WebAssets.ServeAsync(context, "dashboard.html", Policy));
        app.MapGet("/dashboard/dashboard.js", context => WebAssets.ServeAsync(context, "dashboard.js", Policy));
        app.MapGet("/dashboard/dashboard.css", context => WebAssets.ServeAsync(context, "dashboard.css", Policy));
        app.MapPost("/dashboard/session", (Delegate)OpenAsync);
        app.MapGet("/dashboard/events", (HttpContext context) => EventsAsync(context, orleansDashboard));
        app.MapPost("/dashboard/tasks/{id}/cancel", CancelAsync);
        app.MapPost("/dashboard/invitations", (Delegate)InviteAsync);
        app.MapPost("/dashboard/invitations/{key}/revoke", RevokeAsync);
        if (!orleansDashboard)
        {
            app.MapGet(OrleansPath + "/{**rest}", () => Results.Text("Orleans' dashboard is off on this silo (grid silo --no-orleans-dashboard).\n", statusCode: StatusCodes.Status404NotFound));
            return;
        }

        // Orleans' dashboard shows and does more than a viewer may: the operator's only.
        app.MapOrleansDashboard(OrleansPath).AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<DashboardSessions>().Read(context.HttpContext.Request) is { Role: DashboardRole.Operator }
                ? await next(context)
                : Results.Text("Orleans' dashboard is for the grid's operator: open / with the cluster secret first.\n", statusCode: StatusCodes.Status403Forbidden));
    }

    private static async Task<IResult> OpenAsync(HttpContext context)
    {
        if (!context.Request.Headers.ContainsKey(ChangeHeader))
        {
            return Results.Text($"A dashboard session is opened from the dashboard page (the {ChangeHeader} header is missing).\n", statusCode: StatusCodes.Status400BadRequest);
        }

        string key;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            key = body.RootElement.GetProperty("key").GetString() ?? string.Empty;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return Results.Text("Send {\"key\": \"...\"}: the cluster secret or a dashboard key.\n", statusCode: StatusCodes.Status400BadRequest);
        }

        var sessions = context.RequestServices.GetRequiredService<DashboardSessions>();
        if (key.Length > 0 && sessions.IsSecret(key))
        {
            sessions.Open(context.Response, DashboardRole.Operator, string.Empty);
            return Results.NoContent();
        }

        var invitation = key.Length == 0 ? null : await context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).FindAsync(key);
        switch (invitation?.Kind)
        {
            case InvitationKind.Dashboard:
                sessions.Open(context.Response, DashboardRole.Viewer, key);
                return Results.NoContent();
            case InvitationKind.Volunteer:
                return Results.Text("That is a volunteer key: open its link, which ends in /volunteer#k=..., to volunteer this browser.", statusCode: StatusCodes.Status403Forbidden);
            default:
                // Guessing is slow: a wrong key costs its sender half a second.
                await Task.Delay(TimeSpan.FromMilliseconds(500), context.RequestServices.GetRequiredService<TimeProvider>(), context.RequestAborted);
                return Results.Text("That is neither the grid's cluster secret nor a dashboard key (grid invite --dashboard makes one; a revoked key no longer works).", statusCode: StatusCodes.Status401Unauthorized);
        }
    }

    /// <summary>The live feed: a "snapshot" event a second; a "denied" event when there is no session or its key was revoked.</summary>
    private static async Task EventsAsync(HttpContext context, bool orleansDashboard)
    {
        var services = context.RequestServices;
        var grains = services.GetRequiredService<IGrainFactory>();
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var session = services.GetRequiredService<DashboardSessions>().Read(context.Request);
        if (session is null || !await DashboardSessions.StillValidAsync(session, grains))
        {
            await WriteEventAsync(response, "denied", "{}", context.RequestAborted);
            return;
        }

        var feed = services.GetRequiredService<DashboardFeed>();
        var frames = feed.Watch();
        var time = services.GetRequiredService<TimeProvider>();
        var checkedAt = time.GetTimestamp();
        try
        {
            var first = true;
            await foreach (var frame in frames.ReadAllAsync(context.RequestAborted))
            {
                if (session.Role == DashboardRole.Viewer && time.GetElapsedTime(checkedAt) > TimeSpan.FromSeconds(2))
                {
                    checkedAt = time.GetTimestamp();
                    if (!await DashboardSessions.StillValidAsync(session, grains))
                    {
                        await WriteEventAsync(response, "denied", "{}", context.RequestAborted);
                        return;
                    }
                }

                var snapshot = session.Role == DashboardRole.Operator ? frame.Operator with { OrleansDashboard = orleansDashboard } : frame.Viewer;
                if (first)
                {
                    snapshot = snapshot with { History = feed.History() };
                    first = false;
                }

                await WriteEventAsync(response, "snapshot", JsonSerializer.Serialize(snapshot, DashboardJsonContext.Default.Snapshot), context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The dashboard was closed.
        }
        finally
        {
            feed.Unwatch(frames);
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string name, string data, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {name}\ndata: {data}\n\n", Encoding.UTF8, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static async Task<IResult> CancelAsync(HttpContext context, string id)
    {
        if (Refused(context) is { } refused)
        {
            return refused;
        }

        var cancelled = await context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<ITaskGrain>(id).CancelAsync();
        return cancelled ? Results.NoContent() : Results.Text($"Task {id} is not running: it has ended, or the grid holds no such task.", statusCode: StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> InviteAsync(HttpContext context)
    {
        if (Refused(context) is { } refused)
        {
            return refused;
        }

        var kind = InvitationKind.Volunteer;
        var label = string.Empty;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (body.RootElement.TryGetProperty("kind", out var k) && k.GetString() == "dashboard")
            {
                kind = InvitationKind.Dashboard;
            }

            if (body.RootElement.TryGetProperty("label", out var l))
            {
                label = l.GetString() ?? string.Empty;
            }
        }
        catch (JsonException)
        {
            return Results.Text("Send {\"kind\": \"volunteer\" or \"dashboard\", \"label\": \"...\"}.", statusCode: StatusCodes.Status400BadRequest);
        }

        var invitation = await context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).CreateAsync(kind, label.Length > 0 ? label : "made on the dashboard");
        return Results.Json(new { invitation.Key });
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, string key)
    {
        if (Refused(context) is { } refused)
        {
            return refused;
        }

        var dropped = await context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).RevokeAsync(key);
        return dropped < 0 ? Results.Text($"No key {key} is in use.", statusCode: StatusCodes.Status404NotFound) : Results.NoContent();
    }

    /// <summary>Why a change is refused: it did not come from the dashboard page, or not from the operator. Null when it may go ahead.</summary>
    private static IResult? Refused(HttpContext context)
    {
        if (!context.Request.Headers.ContainsKey(ChangeHeader))
        {
            return Results.Text($"Changes come from the dashboard page (the {ChangeHeader} header is missing).", statusCode: StatusCodes.Status400BadRequest);
        }

        return context.RequestServices.GetRequiredService<DashboardSessions>().Read(context.Request) is { Role: DashboardRole.Operator }
            ? null
            : Results.Text("Only the grid's operator (a session opened with the cluster secret) may change the grid; this dashboard is read-only.", statusCode: StatusCodes.Status403Forbidden);
    }
}
