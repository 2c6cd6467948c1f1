namespace Fusis.Netlink;

/// <summary>
/// A netlink request failed: the kernel's errno and, when it sent one, its extended-ack message.
/// The message says what failed in words an operator can act on.
/// </summary>
public class NetlinkException : Exception
{
    public NetlinkException()
        : this(Errno.EIO, "netlink request failed", null)
    {
    }

    public NetlinkException(string message)
        : this(Errno.EIO, message, null)
    {
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errno = Errno.EIO;
    }

    public NetlinkException(Errno errno, string message, string? kernelMessage)
        : base(kernelMessage is null ? message : $"{message} (kernel: {kernelMessage})")
    {
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    /// <summary>The errno the kernel (or the socket call) reported.</summary>
    public Errno Errno { get; }

    /// <summary>The kernel's extended-ack text (NLMSGERR_ATTR_MSG), when it gave one.</summary>
    public string? KernelMessage { get; }

    /// <summary>
    /// The exception for a request the kernel refused: "<paramref name="what"/> failed: reason", the reason being
    /// <paramref name="specific"/>, or what to do about missing privileges, or the errno's text.
    /// </summary>
    public static NetlinkException FromAck(NetlinkAck ack, string what, string? specific = null)
    {
        string reason = specific
            ?? (ack.Errno is Errno.EPERM or Errno.EACCES ? "permission denied: this needs root or CAP_NET_ADMIN" : NetlinkChannel.Describe(ack.Errno));
        return new NetlinkException(ack.Errno, $"{what} failed: {reason}", ack.KernelMessage);
    }

    /// <summary>Builds the exception for a failed socket call from the thread's last errno.</summary>
    internal static NetlinkException FromLastError(string operation)
    {
        var errno = (Errno)System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        string detail = System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage((int)errno);
        string hint = errno is Errno.EPERM or Errno.EACCES
            ? " (this needs root or CAP_NET_ADMIN)"
            : string.Empty;
        return new NetlinkException(errno, $"{operation} failed: {detail} ({errno}){hint}", null);
    }
}
