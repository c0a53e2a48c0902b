using System.Diagnostics.CodeAnalysis;
using System.Text;
using IdResolution.Core.Wire;

namespace IdResolution.Core.Native;

/// <summary>The body of a resolution request (opcode 1): the handle, and the indexes and types asked for (empty: all), §3.1.</summary>
public sealed record ResolutionRequest(byte[] HandleBytes, int[] Indexes, string[] Types)
{
    /// <summary>The handle as UTF-8 text, or null when its bytes are not UTF-8.</summary>
    public string? Handle => TryUtf8(HandleBytes);

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out ResolutionRequest? request, [NotNullWhen(false)] out string? error)
    {
        request = null;
        try
        {
            var reader = new WireReader(body);
            var handle = reader.ReadBytes().ToArray();
            var indexes = new int[Count(reader.ReadInt32(), "index")];
            for (var i = 0; i < indexes.Length; i++)
            {
                indexes[i] = reader.ReadInt32();
            }

            var types = new string[Count(reader.ReadInt32(), "type")];
            for (var i = 0; i < types.Length; i++)
            {
                types[i] = TryUtf8(reader.ReadBytes().ToArray()) ?? throw new FormatException("a type is not UTF-8");
            }

            request = new ResolutionRequest(handle, indexes, types);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            error = "malformed resolution request: " + e.Message;
            return false;
        }
    }

    private static int Count(int count, string what) =>
        count is >= 0 and <= Handles.HandleLimits.MaxValuesPerHandle ? count : throw new FormatException($"{count} {what} entries");

    private static string? TryUtf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
