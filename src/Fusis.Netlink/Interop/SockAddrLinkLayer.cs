using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

/// <summary>struct sockaddr_ll (linux/if_packet.h): where an AF_PACKET socket sends a frame.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SockAddrLinkLayer
{
    public ushort Family;

    /// <summary>The EtherType, in network byte order.</summary>
    public ushort Protocol;
    public int InterfaceIndex;
    public ushort HardwareType;
    public byte PacketType;
    public byte AddressLength;
    public fixed byte Address[8];
}
