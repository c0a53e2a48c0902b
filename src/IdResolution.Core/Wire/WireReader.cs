using System.Buffers.Binary;
using System.Text;

namespace IdResolution.Core.Wire;

/// <summary>Reads what <see cref="WireWriter"/> writes; every read checks bounds and throws <see cref="FormatException"/> on short input.</summary>
public ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position == _data.Length;

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadInt32();
        if (length < 0)
        {
            throw new FormatException($"negative length {length} at byte {_position - 4}");
        }

        return Take(length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new FormatException($"needed {count} bytes at byte {_position} of {_data.Length}");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
