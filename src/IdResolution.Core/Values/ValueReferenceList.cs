using IdResolution.Core.Wire;

namespace IdResolution.Core.Values;

/// <summary>The data of an HS_VLIST value (RFC 3651 section 3.2.6): a count, then handle + index pairs.</summary>
public static class ValueReferenceList
{
    public static byte[] Encode(IReadOnlyList<ValueReference> references)
    {
        var writer = new WireWriter();
        writer.WriteInt32(references.Count);
        foreach (var reference in references)
        {
            writer.WriteString(reference.Handle);
            writer.WriteInt32(reference.Index);
        }

        return writer.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out ValueReference[] references)
    {
        references = [];
        try
        {
            var reader = new WireReader(data);
            var count = reader.ReadInt32();
            if (count < 0 || count > data.Length / 8)
            {
                return false;
            }

            var list = new ValueReference[count];
            for (var i = 0; i < count; i++)
            {
                list[i] = new ValueReference(reader.ReadString(), reader.ReadInt32());
            }

            references = list;
            return reader.AtEnd;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
