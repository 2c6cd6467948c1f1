using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusis.Netlink.Protocol;

/// <summary>
/// Builds netlink messages back to back in one growable buffer, so a batch can go out in few sends.
/// Lengths of messages and nested attributes are back-patched when they end; sizes are checked, never truncated.
/// </summary>
public sealed class NetlinkMessageWriter
{
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;

    public NetlinkMessageWriter(int initialCapacity = 4096)
    {
        _buffer = new byte[Math.Max(initialCapacity, 64)];
    }

    /// <summary>Bytes written so far (whole messages once <see cref="EndMessage"/> has run).</summary>
    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The written bytes, for the channel to patch sequence numbers and flags in place.</summary>
    internal Span<byte> WrittenSpanForPatching => _buffer.AsSpan(0, _length);

    public void Clear()
    {
        _length = 0;
        _messageStart = -1;
    }

    /// <summary>Starts a message; returns its offset in the buffer. The port id is 0: the kernel fills in ours.</summary>
    public int BeginMessage(ushort type, ushort flags, uint sequence)
    {
        if (_messageStart >= 0)
        {
            throw new InvalidOperationException("the previous message was not ended");
        }

        _messageStart = _length;
        Span<byte> header = Reserve(NetlinkMessageHeader.Size);
        new NetlinkMessageHeader(0, type, flags, sequence, 0).Write(header);
        return _messageStart;
    }

    /// <summary>Ends the current message: patches nlmsg_len and pads to the netlink alignment.</summary>
    public void EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("no message was begun");
        }

        uint length = checked((uint)(_length - _messageStart));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_messageStart), length);
        Pad();
        _messageStart = -1;
    }

    /// <summary>struct genlmsghdr: command, version, two reserved bytes.</summary>
    public void WriteGenericHeader(byte command, byte version)
    {
        Span<byte> header = Reserve(4);
        header[0] = command;
        header[1] = version;
        header[2] = 0;
        header[3] = 0;
    }

    /// <summary>A fixed family header (ifinfomsg, ifaddrmsg) written as is, then padded.</summary>
    public void WriteFixed(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Pad();
    }

    public void PutAttribute(ushort type, ReadOnlySpan<byte> payload)
    {
        ushort length = checked((ushort)(NetlinkAttribute.HeaderSize + payload.Length));
        Span<byte> span = Reserve(length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        payload.CopyTo(span[NetlinkAttribute.HeaderSize..]);
        Pad();
    }

    public void PutU8(ushort type, byte value) => PutAttribute(type, [value]);

    public void PutU16(ushort type, ushort value)
    {
        Span<byte> payload = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, value);
        PutAttribute(type, payload);
    }

    public void PutU16BigEndian(ushort type, ushort value)
    {
        Span<byte> payload = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, value);
        PutAttribute(type, payload);
    }

    public void PutU32(ushort type, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, value);
        PutAttribute(type, payload);
    }

    public void PutU64(ushort type, ulong value)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, value);
        PutAttribute(type, payload);
    }

    /// <summary>A NUL-terminated string (NLA_NUL_STRING / NLA_STRING both accept the terminator).</summary>
    public void PutString(ushort type, string value)
    {
        int size = Encoding.UTF8.GetByteCount(value) + 1;
        Span<byte> payload = size <= 256 ? stackalloc byte[size] : new byte[size];
        Encoding.UTF8.GetBytes(value, payload);
        payload[^1] = 0;
        PutAttribute(type, payload);
    }

    /// <summary>The address's bytes, in network order, padded with zeros to <paramref name="fieldSize"/>.</summary>
    public void PutAddress(ushort type, IPAddress address, int fieldSize)
    {
        Span<byte> payload = stackalloc byte[16];
        payload.Clear();
        if (!address.TryWriteBytes(payload, out int written) || written > fieldSize)
        {
            throw new ArgumentException($"address {address} does not fit in {fieldSize} bytes", nameof(address));
        }

        PutAttribute(type, payload[..fieldSize]);
    }

    /// <summary>Writes the 4 or 16 bytes of the address, as its family needs.</summary>
    public void PutAddress(ushort type, IPAddress address) =>
        PutAddress(type, address, address.AddressFamily == AddressFamily.InterNetwork ? 4 : 16);

    /// <summary>Starts a nested attribute; pass the returned token to <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        Span<byte> header = Reserve(NetlinkAttribute.HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)(type | NetlinkAttribute.NestedFlag));
        return start;
    }

    public void EndNested(int token)
    {
        ushort length = checked((ushort)(_length - token));
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(token), length);
    }

    private void Pad()
    {
        int aligned = NetlinkMessageHeader.Align(_length);
        Reserve(aligned - _length).Clear();
    }

    private Span<byte> Reserve(int size)
    {
        int needed = checked(_length + size);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, checked(_buffer.Length * 2)));
        }

        Span<byte> span = _buffer.AsSpan(_length, size);
        _length = needed;
        return span;
    }
}
