namespace IdResolution.Core.Schemes;

/// <summary>The naming schemes the node resolves. Every name has a handle form, the registry's and caches' key.</summary>
public enum IdentifierScheme
{
    /// <summary><c>88.118.8.1001/LOT-42</c>.</summary>
    Handle,

    /// <summary>An OID, <c>oid:1.2.156.112.1001.7.42</c>; handle form <c>OID/1.2.156.112.1001.7.42</c>.</summary>
    Oid,

    /// <summary>A GS1 key with its qualifiers; handle form <c>GS1/01/09506000134352/21/S1</c> (the canonical Digital Link path).</summary>
    Gs1,
}
