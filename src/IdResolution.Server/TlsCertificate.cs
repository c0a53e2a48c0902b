using System.Security.Cryptography.X509Certificates;

namespace IdResolution.Server;

/// <summary>
/// The server certificate for https:// listeners: <c>Node:Tls:CertificatePath</c>, a PEM certificate (with its key in
/// <c>Node:Tls:KeyPath</c>, or in the same file) or a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with <c>Node:Tls:Password</c>).
/// </summary>
internal static class TlsCertificate
{
    public static X509Certificate2 Load(IConfiguration configuration)
    {
        var path = configuration["Node:Tls:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException("An https:// URL needs Node:Tls:CertificatePath (PEM or PKCS#12).");
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Node:Tls:CertificatePath '{path}' does not exist.");
        }

        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, configuration["Node:Tls:Password"]);
        }

        var keyPath = configuration["Node:Tls:KeyPath"];
        using var pem = X509Certificate2.CreateFromPemFile(path, string.IsNullOrWhiteSpace(keyPath) ? null : keyPath);
        // A PEM key lives only in memory; SslStream on Linux needs it exported once as PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
