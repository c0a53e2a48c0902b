using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IdResolution.Core;
using IdResolution.Core.Values;


namespace IdResolution.Contracts;

/// <summary>Converts handle values between the core model and the v1 protobuf messages.</summary>
public static class ProtoValues
{
    public static V1.HandleValue ToProto(HandleValue value)
    {
        var proto = new V1.HandleValue
        {
            Index = (uint)value.Index,
            Type = value.Type,
            // Values are immutable once decoded, so the message may share the array.
            Data = UnsafeByteOperations.UnsafeWrap(value.Data),
            Ttl = (uint)value.Ttl,
            TtlType = value.TtlType == TtlType.Absolute ? V1.TtlType.Absolute : V1.TtlType.Relative,
            Timestamp = new Timestamp { Seconds = value.Timestamp },
        };
        if (value.Permissions != ValuePermissions.Default)
        {
            proto.Permissions = new V1.ValuePermissions
            {
                AdminRead = (value.Permissions & ValuePermissions.AdminRead) != 0,
                AdminWrite = (value.Permissions & ValuePermissions.AdminWrite) != 0,
                PublicRead = (value.Permissions & ValuePermissions.PublicRead) != 0,
                PublicWrite = (value.Permissions & ValuePermissions.PublicWrite) != 0,
            };
        }

        foreach (var reference in value.References)
        {
            proto.References.Add(new V1.ValueReference { Handle = reference.Handle, Index = (uint)reference.Index });
        }

        return proto;
    }

    public static void AddTo(Google.Protobuf.Collections.RepeatedField<V1.HandleValue> target, IReadOnlyList<HandleValue> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            target.Add(ToProto(values[i]));
        }
    }

    public static List<HandleValue> FromProto(IReadOnlyList<V1.HandleValue> values)
    {
        var result = new List<HandleValue>(values.Count);
        foreach (var proto in values)
        {
            result.Add(FromProto(proto));
        }

        return result;
    }

    public static HandleValue FromProto(V1.HandleValue proto)
    {
        if (proto.Index is 0 or > int.MaxValue || proto.Ttl > int.MaxValue)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"value index {proto.Index} or ttl {proto.Ttl} is out of range");
        }

        return new HandleValue((int)proto.Index, proto.Type, proto.Data.ToByteArray())
        {
            Ttl = (int)proto.Ttl,
            TtlType = proto.TtlType == V1.TtlType.Absolute ? TtlType.Absolute : TtlType.Relative,
            Permissions = proto.Permissions is { } p ? Permissions(p) : ValuePermissions.Default,
            References = proto.References.Select(r => new ValueReference(r.Handle, (int)Math.Min(r.Index, int.MaxValue))).ToArray(),
        };
    }

    private static ValuePermissions Permissions(V1.ValuePermissions p) =>
        (p.AdminRead ? ValuePermissions.AdminRead : 0)
        | (p.AdminWrite ? ValuePermissions.AdminWrite : 0)
        | (p.PublicRead ? ValuePermissions.PublicRead : 0)
        | (p.PublicWrite ? ValuePermissions.PublicWrite : 0);
}
