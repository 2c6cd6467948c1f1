namespace Fusis.Netlink;

/// <summary>A reply from the kernel was malformed, truncated or did not belong to our request.</summary>
public sealed class NetlinkProtocolException : NetlinkException
{
    public NetlinkProtocolException()
        : this("malformed netlink message")
    {
    }

    public NetlinkProtocolException(string message)
        : base(Errno.EBADMSG, message, null)
    {
    }

    public NetlinkProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
