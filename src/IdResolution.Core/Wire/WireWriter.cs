using System.Buffers.Binary;
using System.Text;

namespace IdResolution.Core.Wire;

/// <summary>Writes the Handle protocol's primitive types (RFC 3652 section 2.1): big-endian integers and length-prefixed UTF-8.</summary>
public sealed class WireWriter(int capacity = 256)
{
    private byte[] _buffer = new byte[capacity];

    public int Length { get; private set; }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(Length), value);
        Length += 2;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        Ensure(count);
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    private void Ensure(int more)
    {
        if (Length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + more));
        }
    }
}
