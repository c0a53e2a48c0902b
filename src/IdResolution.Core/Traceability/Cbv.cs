namespace IdResolution.Core.Traceability;

/// <summary>
/// The Core Business Vocabulary (CBV 2.0) terms for business steps and dispositions. Senders write them bare
/// (<c>shipping</c>), as GS1 web URIs (<c>https://ref.gs1.org/cbv/BizStep-shipping</c>) or as URNs
/// (<c>urn:epcglobal:cbv:bizstep:shipping</c>); the node stores the bare term, and keeps other URIs (private
/// vocabularies) as sent.
/// </summary>
public static class Cbv
{
    public static readonly HashSet<string> BizSteps = new(StringComparer.Ordinal)
    {
        "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning", "creating_class_instance",
        "cycle_counting", "decommissioning", "departing", "destroying", "disassembling", "dispensing", "encoding",
        "entering_exiting", "holding", "inspecting", "installing", "killing", "loading", "other", "packing", "picking",
        "receiving", "removing", "repackaging", "repairing", "replacing", "reserving", "retail_selling", "sampling",
        "sensor_reporting", "shipping", "staging_outbound", "stock_taking", "stocking", "storing", "transporting",
        "unloading", "unpacking", "void_shipping",
    };

    public static readonly HashSet<string> Dispositions = new(StringComparer.Ordinal)
    {
        "active", "available", "completeness_inferred", "completeness_verified", "conformant", "container_closed",
        "container_open", "damaged", "destroyed", "dispensed", "disposed", "encoded", "expired", "in_progress",
        "in_transit", "inactive", "mismatch_instance", "mismatch_class", "mismatch_quantity", "needs_replacement",
        "no_pedigree_match", "non_conformant", "non_sellable_other", "partially_dispensed", "recalled", "reserved",
        "retail_sold", "returned", "sellable_accessible", "sellable_not_accessible", "stolen", "unavailable", "unknown",
    };

    /// <summary>The stored form of a business step; null with an error when it is neither a CBV term nor a URI.</summary>
    public static string? BizStep(string text, out string? error) => Term(text, BizSteps, "BizStep-", "urn:epcglobal:cbv:bizstep:", "business step", out error);

    public static string? Disposition(string text, out string? error) => Term(text, Dispositions, "Disp-", "urn:epcglobal:cbv:disp:", "disposition", out error);

    private static string? Term(string text, HashSet<string> terms, string webPrefix, string urnPrefix, string what, out string? error)
    {
        error = null;
        var bare = text.StartsWith("https://ref.gs1.org/cbv/" + webPrefix, StringComparison.Ordinal) ? text[("https://ref.gs1.org/cbv/".Length + webPrefix.Length)..]
            : text.StartsWith(urnPrefix, StringComparison.Ordinal) ? text[urnPrefix.Length..]
            : text;
        if (terms.Contains(bare))
        {
            return bare;
        }

        if (ReferenceEquals(bare, text) && Uri.TryCreate(text, UriKind.Absolute, out _) && text.Contains(':', StringComparison.Ordinal))
        {
            return text; // a private vocabulary's URI
        }

        error = $"'{text}' is not a CBV {what} nor a URI";
        return null;
    }
}
