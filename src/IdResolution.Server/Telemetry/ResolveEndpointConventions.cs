namespace IdResolution.Server.Telemetry;

/// <summary>The metric convention of the routes and services that answer resolves.</summary>
public static class ResolveEndpointConventions
{
    /// <summary>
    /// A resolve is measured once, in <c>idres.resolve.duration</c> (by protocol, Handle response code and cache layer),
    /// and left out of ASP.NET Core's <c>http.server.request.duration</c>: recording every hot resolve in both took
    /// ~3% of its CPU (bench/RESULTS.md, session 12).
    /// </summary>
    public static TBuilder MeasuredAsResolves<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.DisableHttpMetrics();
}
