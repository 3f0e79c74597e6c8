using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GridActors.Grid;
using GridActors.Silo.Security;
using Microsoft.AspNetCore.Http;

namespace GridActors.Silo.Dashboard;

/// <summary>Who a dashboard session is: the grid's operator (the cluster secret), or a watcher with a dashboard key.</summary>
internal enum DashboardRole
{
    /// <summary>Opened with the cluster secret: may cancel tasks and make or revoke invitations, and open Orleans' dashboard.</summary>
    Operator,

    /// <summary>Opened with a dashboard invitation key: watches, read-only, until the key is revoked.</summary>
    Viewer,
}

/// <summary>A dashboard session, as its cookie carries it.</summary>
internal sealed record DashboardSession(DashboardRole Role, string InvitationKey, DateTimeOffset Expires);

/// <summary>
/// Dashboard sessions as signed cookies. The cookie names the role, its expiry and (for a viewer)
/// the key it was opened with, signed with the grid's cluster secret: every silo of the grid accepts
/// it, and nothing in it can be changed. The secret itself is given once, to open the session.
/// </summary>
internal sealed class DashboardSessions(ClusterSecret secret, TimeProvider time)
{
    /// <summary>The session cookie: HttpOnly, SameSite=Strict, and Secure over HTTPS.</summary>
    public const string CookieName = "gridactors-dashboard";

    /// <summary>How long a session lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private static readonly byte[] Purpose = "GridActors dashboard session v1"u8.ToArray();

    /// <summary>Whether <paramref name="given"/> is the cluster secret.</summary>
    public bool IsSecret(string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(secret.Secret));

    /// <summary>Opens a session: its cookie goes on the response, marked Secure when the silo serves HTTPS.</summary>
    public void Open(HttpResponse response, DashboardRole role, string invitationKey)
    {
        var expires = time.GetUtcNow() + Lifetime;
        var payload = $"{(role == DashboardRole.Operator ? "o" : "v")}|{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}|{invitationKey}";
        var bytes = Encoding.UTF8.GetBytes(payload);
        var token = Base64Url(bytes) + "." + Base64Url(secret.Sign(Purpose, bytes));
        response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Expires = expires,
            Secure = response.HttpContext.Request.IsHttps,
        });
    }

    /// <summary>The request's session; null without a valid, unexpired cookie.</summary>
    public DashboardSession? Read(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var token) || token.Split('.') is not [var payloadText, var signatureText])
        {
            return null;
        }

        byte[] payload, signature;
        try
        {
            payload = Convert.FromBase64String(Unpad(payloadText));
            signature = Convert.FromBase64String(Unpad(signatureText));
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, secret.Sign(Purpose, payload))
            || Encoding.UTF8.GetString(payload).Split('|', 3) is not [var role, var expiresText, var key]
            || !long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresAt);
        return expires <= time.GetUtcNow() ? null : new DashboardSession(role == "o" ? DashboardRole.Operator : DashboardRole.Viewer, key, expires);
    }

    /// <summary>Whether a session still holds: an operator's always, a viewer's while its key is not revoked.</summary>
    public static async Task<bool> StillValidAsync(DashboardSession session, IGrainFactory grains) =>
        session.Role == DashboardRole.Operator
        || await grains.GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).FindAsync(session.InvitationKey) is { Kind: InvitationKind.Dashboard };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Unpad(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return base64 + new string('=', (4 - (base64.Length % 4)) % 4);
    }
}
