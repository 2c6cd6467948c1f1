namespace Fusis.Netlink;

/// <summary>
/// Datagrams to and from the kernel. <see cref="NetlinkSocket"/> is the real one; tests script hostile
/// kernels with their own.
/// </summary>
public interface INetlinkTransport : IDisposable
{
    /// <summary>Our port id, which the kernel's replies carry.</summary>
    uint PortId { get; }

    /// <summary>Sends made so far.</summary>
    long SendCalls { get; }

    /// <summary>Receives made so far.</summary>
    long ReceiveCalls { get; }

    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>Receives one datagram from the kernel; returns its length.</summary>
    int Receive(Span<byte> buffer);
}
