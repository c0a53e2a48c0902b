using IdResolution.Core.Templates;

namespace IdResolution.Core;

/// <summary>
/// A request the node refuses, with the Handle response code that says why. Thrown on write paths
/// only: resolution reports outcomes as values so that floods of bad names cost no exceptions.
/// </summary>
public sealed class HandleException(ResponseCode code, string message) : Exception(message)
{
    public ResponseCode Code { get; } = code;

    /// <summary>For values refused by their template: every rule broken, with its field (all protocols report them).</summary>
    public IReadOnlyList<TemplateViolation> Violations { get; init; } = [];
}
