namespace IdResolution.Contracts.V1;

// The cached answer the marshaller may send pre-encoded; protobuf ignores members it did not generate.
public sealed partial class ResolveResponse : IPreEncodable
{
    byte[]? IPreEncodable.PreEncoded { get; set; }
}

/// <summary>
/// A BatchResolve answer as the server builds it: <see cref="Parts"/>, in order, each a cached answer's encoded
/// <see cref="ResolveResult"/> or a message built for this call. The server's marshaller writes the parts instead of
/// <see cref="Results"/>, so a batch of cached answers copies their bytes without touching a message object (one
/// fewer memory access per identifier, the cost that bounds a batch over many names). Not a protobuf field: a
/// parsed response has no parts and its results in <see cref="Results"/>.
/// </summary>
public sealed partial class BatchResolveResponse
{
    public ResolveResultPart[]? Parts { get; set; }
}

/// <summary>One result of a batch: <see cref="Encoded"/> (a cached answer, never modified) or <see cref="Message"/>.</summary>
public readonly record struct ResolveResultPart(byte[]? Encoded, ResolveResult? Message);
