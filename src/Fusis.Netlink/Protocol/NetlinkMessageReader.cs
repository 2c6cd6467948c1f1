namespace Fusis.Netlink.Protocol;

/// <summary>Walks the messages of one received datagram, validating every length against what is there.</summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
    }

    /// <summary>Reads the next message; false at the end of the datagram.</summary>
    /// <exception cref="NetlinkProtocolException">A header is truncated or claims more bytes than the datagram has.</exception>
    public bool TryRead(out NetlinkMessageHeader header, out ReadOnlySpan<byte> payload)
    {
        if (_remaining.IsEmpty)
        {
            header = default;
            payload = default;
            return false;
        }

        header = NetlinkMessageHeader.Read(_remaining);
        if (header.Length < NetlinkMessageHeader.Size || header.Length > (uint)_remaining.Length)
        {
            throw new NetlinkProtocolException(
                $"netlink message length {header.Length} is invalid ({_remaining.Length} bytes left in the datagram)");
        }

        int length = (int)header.Length;
        payload = _remaining[NetlinkMessageHeader.Size..length];
        int next = Math.Min(NetlinkMessageHeader.Align(length), _remaining.Length);
        _remaining = _remaining[next..];
        return true;
    }
}
