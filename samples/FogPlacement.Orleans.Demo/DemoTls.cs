using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// Mutual TLS for the demo's cluster, with certificates made at start-up: one for the cloud silos, one for the fog
/// site, each self-signed and pinned by thumbprint (no certificate authority is needed for a demo; a deployment would
/// use its own CA and validate the chain). Silos take connections only from the two pinned certificates, fog clients
/// only from the silos'. The demo and the tests share this file (the tests link it).
/// </summary>
internal sealed class DemoTls : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fogplacement-tls-").FullName;

    public DemoTls()
    {
        Cloud = Create("fogplacement-cloud");
        Fog = Create("fogplacement-fog-site");
        CloudPath = Path.Combine(directory, "cloud.pfx");
        File.WriteAllBytes(CloudPath, Cloud.Export(X509ContentType.Pfx));
    }

    /// <summary>Gets the silos' certificate (with its private key).</summary>
    public X509Certificate2 Cloud { get; }

    /// <summary>Gets the fog site's certificate (with its private key).</summary>
    public X509Certificate2 Fog { get; }

    /// <summary>Gets the silos' certificate as a PKCS #12 file in a directory only this user can read, for the silo processes.</summary>
    public string CloudPath { get; }

    /// <summary>Gets the thumbprints a silo trusts: the cloud's and the fog site's, comma-separated.</summary>
    public string SiloTrusts => $"{Cloud.Thumbprint},{Fog.Thumbprint}";

    /// <summary>Makes a self-signed certificate for both TLS server and client use, valid for a day.</summary>
    public static X509Certificate2 Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Through PKCS #12, so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
    }

    /// <summary>TLS options that require a certificate from the other side and accept only the pinned thumbprints.</summary>
    public static void Pin(TlsOptions options, IReadOnlyCollection<string> thumbprints)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => thumbprints.Contains(certificate.Thumbprint, StringComparer.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        Cloud.Dispose();
        Fog.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
