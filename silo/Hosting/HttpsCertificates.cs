using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GridActors.Silo.Hosting;

/// <summary>
/// The certificate a silo's HTTP port serves HTTPS with, read from PEM files as certificate
/// authorities issue them (Let's Encrypt's fullchain.pem and privkey.pem). Every way it can be wrong
/// is said before the silo joins the grid, not left for browsers to refuse.
/// </summary>
public static class HttpsCertificates
{
    /// <summary>Reads <paramref name="certificate"/> and its private key (from <paramref name="key"/>, or from the certificate's own file).</summary>
    public static bool TryLoad(FileInfo certificate, FileInfo? key, TimeProvider time, [NotNullWhen(true)] out X509Certificate2? loaded, out string problem)
    {
        loaded = null;
        problem = string.Empty;
        foreach (var (file, flag) in new[] { (certificate, "--https-cert"), (key, "--https-key") })
        {
            if (file is { Exists: false })
            {
                problem = $"{flag} {file}: no such file. Give the PEM {(flag == "--https-cert" ? "certificate (e.g. /etc/letsencrypt/live/HOST/fullchain.pem)" : "private key (e.g. /etc/letsencrypt/live/HOST/privkey.pem)")}.";
                return false;
            }
        }

        X509Certificate2 read;
        try
        {
            if (key is null && !File.ReadAllText(certificate.FullName).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                problem = $"the HTTPS certificate {certificate} comes without its private key: give the key's PEM file with --https-key.";
                return false;
            }

            read = X509Certificate2.CreateFromPemFile(certificate.FullName, key?.FullName);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            problem = $"cannot read the HTTPS certificate {certificate}{(key is null ? string.Empty : $" with the key {key}")}: {exception.Message.TrimEnd('.')}. "
                + "Give a PEM certificate (-----BEGIN CERTIFICATE-----) with --https-cert and its PEM private key with --https-key, unless the certificate's file holds the key too.";
            return false;
        }

        // CreateFromPemFile gives a certificate with its key or throws, and a file without a key is told above.
        var now = time.GetUtcNow();
        var (notBefore, notAfter) = (read.NotBefore.ToUniversalTime(), read.NotAfter.ToUniversalTime());
        if (notAfter < now || notBefore > now)
        {
            var when = notAfter < now
                ? "expired on " + notAfter.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
                : "is not valid before " + notBefore.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            read.Dispose();
            problem = $"the HTTPS certificate {certificate} {when}, and browsers refuse it: renew it, or give one that is valid now.";
            return false;
        }

        loaded = read;
        return true;
    }
}
