using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GridActors.Cli.Tests;

/// <summary>Self-signed certificates for 127.0.0.1 and localhost, written as PEM files the way authorities hand them out.</summary>
internal static class Certificates
{
    /// <summary>A certificate and its key in two PEM files; <paramref name="notAfter"/> may lie in the past, for an expired one.</summary>
    public static (string Certificate, string Key) Write(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=GridActors test silo", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));

        var folder = Directory.CreateTempSubdirectory("gridactors-cert-").FullName;
        var certificatePath = Path.Combine(folder, name + ".pem");
        var keyPath = Path.Combine(folder, name + ".key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
