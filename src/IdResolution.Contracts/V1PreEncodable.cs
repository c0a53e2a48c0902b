namespace IdResolution.Contracts.V1;

// The cached answers the marshaller may send pre-encoded; protobuf ignores members it did not generate.
public sealed partial class ResolveResponse : IPreEncodable
{
    byte[]? IPreEncodable.PreEncoded { get; set; }
}

public sealed partial class ResolveResult : IPreEncodable
{
    byte[]? IPreEncodable.PreEncoded { get; set; }
}
