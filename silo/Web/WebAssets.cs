using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace GridActors.Silo.Web;

/// <summary>
/// The silo's web pages and scripts, embedded in its assembly: nothing is fetched from elsewhere at
/// run time, so volunteers and dashboards work on a grid cut off from the internet.
/// </summary>
internal static class WebAssets
{
    private const string Prefix = "web/";

    private static readonly FrozenDictionary<string, byte[]> Files = typeof(WebAssets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
        .ToFrozenDictionary(n => n[Prefix.Length..], Read, StringComparer.Ordinal);

    /// <summary>The worker script: the job host the silo's runners use (prelude.js), then the worker's own driver.</summary>
    private static readonly byte[] Worker = [.. "const makeJobHost =\n"u8, .. Files["prelude.js"], .. "\n;\n"u8, .. Files["worker.js"]];

    /// <summary>Writes an embedded file with its content type, the given Content-Security-Policy, and no caching across silo versions.</summary>
    public static Task ServeAsync(HttpContext context, string name, string policy)
    {
        var bytes = name == "worker.js" ? Worker : Files.GetValueOrDefault(name);
        if (bytes is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var response = context.Response;
        response.ContentType = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        response.Headers.ContentSecurityPolicy = policy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-cache";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(WebAssets).Assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
