using IdResolution.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Net.Http.Headers;

namespace IdResolution.Server.Auth;

public static class NodeAuthentication
{
    public static IServiceCollection AddNodeAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(KeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, KeyAuthenticationHandler>(KeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(NodePolicies.Read, p => p.RequireAuthenticatedUser())
            .AddPolicy(NodePolicies.Accounts, p => p.RequireRole(AccessRoles.Operator, AccessRoles.Admin))
            .AddPolicy(NodePolicies.Operator, p => p.RequireRole(AccessRoles.Operator))
            .AddPolicy(NodePolicies.Site, p => p.RequireRole(AccessRoles.Site, AccessRoles.Operator));
        services.AddScoped<PrefixAccess>();
        services.AddScoped<Writes.HandleWrites>();
        services.AddScoped<Bulk.BulkImport>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationAnswers>();
        return services;
    }

    /// <summary>Authenticates requests that carry credentials and records who they are for the audit of their writes.</summary>
    public static IApplicationBuilder UseNodeAuthentication(this IApplicationBuilder app)
    {
        app.Properties[AuthenticationMiddlewareSetKey] = true;

        // Most traffic is anonymous resolution: only requests with credentials pay for authentication.
        return app.UseWhen(context => context.Request.Headers.ContainsKey(HeaderNames.Authorization), branch => branch
            .UseAuthentication()
            .Use((context, next) =>
            {
                if (Caller.From(context.User) is { } caller)
                {
                    context.RequestServices.GetRequiredService<WriteActor>()
                        .Set(caller.Name, caller.KeyId, caller.EnterpriseId, context.Connection.RemoteIpAddress?.ToString(), caller.IsOperator);
                }

                return next(context);
            }));
    }

    /// <summary>
    /// Authorization, for the endpoints that ask for it. The middleware records itself in the request's items on every
    /// request it sees (a dictionary each), and anonymous resolves ask for nothing; no fallback policy is set.
    /// </summary>
    public static IApplicationBuilder UseNodeAuthorization(this IApplicationBuilder app)
    {
        app.Properties[AuthorizationMiddlewareSetKey] = true;
        return app.UseWhen(context => context.GetEndpoint()?.Metadata is { } metadata
            && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null
                || metadata.GetMetadata<IAuthorizationRequirementData>() is not null),
            branch => branch.UseAuthorization());
    }

    // WebApplication puts its own UseAuthentication and UseAuthorization in front of the whole pipeline unless the
    // main builder carries these marks; called in a branch, they mark only the branch's copy of the properties.
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";
}
