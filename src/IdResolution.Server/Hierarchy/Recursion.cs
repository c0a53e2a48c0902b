namespace IdResolution.Server.Hierarchy;

/// <summary>
/// What a resolve request says about resolving elsewhere: whether the caller allows it (the native REC flag; HTTP and
/// gRPC callers always do) and how many nodes the request has already passed through.
/// </summary>
public readonly record struct Recursion(bool Allowed, byte Hops)
{
    public static Recursion Default => new(true, 0);
}
