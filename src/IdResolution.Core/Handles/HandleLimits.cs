namespace IdResolution.Core.Handles;

/// <summary>Limits taken from the Handle reference implementation.</summary>
public static class HandleLimits
{
    public const int MaxHandleBytes = 2048;
    public const int MaxValuesPerHandle = 2048;
    public const int MaxTypeBytes = 255;
    public const int MaxPrefixSegments = 32;
}
