using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

/// <summary>struct sockaddr_nl (linux/netlink.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrNetlink
{
    public ushort Family;
    public ushort Pad;
    public uint PortId;
    public uint Groups;
}
