using IdResolution.Registry;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Startup;

/// <summary>
/// The bootstrap operator key: <c>Auth:BootstrapToken</c> when configured, otherwise generated on first start,
/// printed once and kept (readable only by the node's user) in the data directory. Only its hash is in the registry.
/// </summary>
public static partial class OperatorKey
{
    public const string FileName = "operator.token";
    private const string Name = "bootstrap operator";

    public static async Task EnsureAsync(WebApplication app, IServiceProvider services)
    {
        var keys = services.GetRequiredService<AccessKeyStore>();
        var configured = app.Configuration["Auth:BootstrapToken"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // The configured key replaces any earlier bootstrap key (generated, or configured before). A configured key
            // that was revoked stays revoked: it may have leaked; the operator configures a new one.
            if (await keys.IsRevokedAsync(configured, CancellationToken.None))
            {
                LogConfiguredRevoked(app.Logger);
                return;
            }

            await keys.AddAsync(Name, AccessRoles.Operator, configured, CancellationToken.None);
            await keys.RevokeOthersAsync(Name, configured, CancellationToken.None);
            return;
        }

        if (await keys.AnyActiveAsync(AccessRoles.Operator, CancellationToken.None))
        {
            return;
        }

        var key = AccessKeyStore.NewKey();
        await keys.AddAsync(Name, AccessRoles.Operator, key, CancellationToken.None);
        var file = Path.GetFullPath(Path.Combine(services.GetRequiredService<IOptions<NodeOptions>>().Value.DataDirectory, FileName));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, key + Environment.NewLine);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        LogGenerated(app.Logger, key, file);
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Auth:BootstrapToken names a key that was revoked; it stays revoked. Configure a new token")]
    private static partial void LogConfiguredRevoked(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Generated the bootstrap operator token {Token} (also saved to {File}); use it as 'Authorization: Bearer <token>' for writes")]
    private static partial void LogGenerated(ILogger logger, string token, string file);
}
