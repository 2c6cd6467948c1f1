using System.Buffers.Binary;

namespace Fusis.Netlink.Protocol;

/// <summary>Walks a run of attributes, validating every length against what is there.</summary>
public ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
    }

    /// <summary>Reads the next attribute; false at the end.</summary>
    /// <exception cref="NetlinkProtocolException">An attribute is truncated or claims more bytes than there are.</exception>
    public bool TryRead(out NetlinkAttribute attribute)
    {
        // Fewer than a header's worth of trailing bytes is padding the kernel may leave; anything more must parse.
        if (_remaining.Length < NetlinkAttribute.HeaderSize)
        {
            attribute = default;
            return false;
        }

        ushort length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]);
        if (length < NetlinkAttribute.HeaderSize || length > _remaining.Length)
        {
            throw new NetlinkProtocolException(
                $"attribute length {length} is invalid ({_remaining.Length} bytes left)");
        }

        attribute = new NetlinkAttribute(type, _remaining[NetlinkAttribute.HeaderSize..length]);
        int next = Math.Min(NetlinkMessageHeader.Align(length), _remaining.Length);
        _remaining = _remaining[next..];
        return true;
    }
}
