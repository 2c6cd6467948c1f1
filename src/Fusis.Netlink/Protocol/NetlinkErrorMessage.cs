using System.Buffers.Binary;

namespace Fusis.Netlink.Protocol;

/// <summary>
/// An NLMSG_ERROR payload: the (negative) errno, the header of the request it answers, and, with
/// NETLINK_EXT_ACK, TLVs carrying the kernel's message. Error 0 is an ACK.
/// </summary>
public readonly record struct NetlinkErrorMessage(Errno Errno, NetlinkMessageHeader Request, string? KernelMessage, uint? ErrorOffset)
{
    // NLMSGERR_ATTR_* (linux/netlink.h)
    private const ushort AttrMessage = 1;
    private const ushort AttrOffset = 2;

    public bool IsAck => Errno == Errno.None;

    public static NetlinkErrorMessage Parse(NetlinkMessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4 + NetlinkMessageHeader.Size)
        {
            throw new NetlinkProtocolException($"NLMSG_ERROR payload truncated: {payload.Length} bytes");
        }

        int error = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (error > 0 || error == int.MinValue)
        {
            throw new NetlinkProtocolException($"NLMSG_ERROR carries an impossible error {error}");
        }

        var request = NetlinkMessageHeader.Read(payload[4..]);
        string? message = null;
        uint? offset = null;
        if ((header.Flags & NetlinkMessageFlags.AckTlvs) != 0)
        {
            // Without NLM_F_CAPPED the kernel echoes the whole request before the TLVs.
            long echoed = (header.Flags & NetlinkMessageFlags.Capped) != 0
                ? NetlinkMessageHeader.Size
                : (request.Length + NetlinkMessageHeader.Alignment - 1) & ~(NetlinkMessageHeader.Alignment - 1L);
            if (4 + echoed > payload.Length)
            {
                throw new NetlinkProtocolException("NLMSG_ERROR extended-ack attributes start past the message end");
            }

            int tlvStart = (int)(4 + echoed);
            var reader = new NetlinkAttributeReader(payload[tlvStart..]);
            while (reader.TryRead(out NetlinkAttribute attribute))
            {
                switch (attribute.Type)
                {
                    case AttrMessage:
                        message = attribute.GetString();
                        break;
                    case AttrOffset when attribute.Payload.Length == 4:
                        offset = attribute.GetU32();
                        break;
                }
            }
        }

        return new NetlinkErrorMessage((Errno)(-error), request, string.IsNullOrEmpty(message) ? null : message, offset);
    }
}
