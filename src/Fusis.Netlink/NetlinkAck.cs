namespace Fusis.Netlink;

/// <summary>The kernel's answer to one request: success, or an errno with its extended-ack text.</summary>
public readonly record struct NetlinkAck(Errno Errno, string? KernelMessage)
{
    public static NetlinkAck Success => default;

    public bool Succeeded => Errno == Errno.None;
}
