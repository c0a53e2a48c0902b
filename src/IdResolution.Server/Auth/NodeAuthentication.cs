using IdResolution.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace IdResolution.Server.Auth;

public static class NodeAuthentication
{
    public static IServiceCollection AddNodeAuthentication(this IServiceCollection services)
    {
        // Holds key lookups (including failed ones): bounded, so random keys cannot grow it without limit.
        services.AddMemoryCache(o => o.SizeLimit = 100_000);
        services.AddAuthentication(BearerKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerKeyHandler>(BearerKeyHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(NodePolicies.Write, p => p.RequireRole(AccessKeyStore.OperatorRole));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationAnswers>();
        return services;
    }
}
