using IdResolution.Core.Wire;

namespace IdResolution.Core.Values;

/// <summary>
/// Encodes a handle's values as the RFC 3652 HandleValue sequence (count, then each value). The registry
/// stores this form so that a resolve is one row read, and the native protocol can send it as is.
/// </summary>
public static class HandleValueCodec
{
    public static byte[] Encode(IReadOnlyList<HandleValue> values)
    {
        var writer = new WireWriter(64 * (values.Count + 1));
        writer.WriteInt32(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            Write(writer, values[i]);
        }

        return writer.ToArray();
    }

    public static HandleValue[] Decode(ReadOnlySpan<byte> data)
    {
        var reader = new WireReader(data);
        return ReadList(ref reader);
    }

    /// <summary>A value list (count, then each value) where <paramref name="reader"/> stands, as messages carry it.</summary>
    public static HandleValue[] ReadList(ref WireReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > Handles.HandleLimits.MaxValuesPerHandle)
        {
            throw new FormatException($"value count {count} is out of range");
        }

        var values = new HandleValue[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = Read(ref reader);
        }

        return values;
    }

    public static void Write(WireWriter writer, HandleValue value)
    {
        writer.WriteInt32(value.Index);
        writer.WriteInt32(unchecked((int)(uint)value.Timestamp));
        writer.WriteByte((byte)value.TtlType);
        writer.WriteInt32(value.Ttl);
        writer.WriteByte((byte)value.Permissions);
        writer.WriteString(value.Type);
        writer.WriteBytes(value.Data);
        writer.WriteInt32(value.References.Count);
        foreach (var reference in value.References)
        {
            writer.WriteString(reference.Handle);
            writer.WriteInt32(reference.Index);
        }
    }

    public static HandleValue Read(ref WireReader reader)
    {
        var index = reader.ReadInt32();
        var timestamp = (uint)reader.ReadInt32();
        var ttlType = (TtlType)reader.ReadByte();
        var ttl = reader.ReadInt32();
        var permissions = (ValuePermissions)reader.ReadByte();
        var type = reader.ReadString();
        var data = reader.ReadBytes().ToArray();
        var referenceCount = reader.ReadInt32();
        if (referenceCount < 0 || referenceCount > Handles.HandleLimits.MaxValuesPerHandle)
        {
            throw new FormatException($"reference count {referenceCount} is out of range");
        }

        var references = referenceCount == 0 ? [] : new ValueReference[referenceCount];
        for (var i = 0; i < referenceCount; i++)
        {
            references[i] = new ValueReference(reader.ReadString(), reader.ReadInt32());
        }

        return new HandleValue(index, type, data)
        {
            Timestamp = timestamp,
            TtlType = ttlType,
            Ttl = ttl,
            Permissions = permissions,
            References = references,
        };
    }
}
