using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Fusis.Netlink.Interop;

namespace Fusis.Netlink.Packet;

/// <summary>
/// Sends <see cref="NeighbourAnnouncement"/> frames through AF_PACKET sockets (.NET's sockets cannot open them); needs
/// CAP_NET_RAW. The interface's link-layer address is the sender's.
/// </summary>
public static class NeighbourAnnouncer
{
    /// <summary>Announces <paramref name="address"/> <paramref name="count"/> times on the interface with index <paramref name="interfaceIndex"/>.</summary>
    /// <param name="interfaceIndex">Where to send.</param>
    /// <param name="mac">That interface's link-layer address.</param>
    /// <param name="address">The address that moved here.</param>
    /// <param name="source">For IPv6, the advertisement's source (an address of the interface, its link-local one).</param>
    /// <param name="count">How many frames to send at once (a burst, through one socket).</param>
    /// <exception cref="NetlinkException">The socket could not be opened (EPERM: no CAP_NET_RAW) or a frame not sent.</exception>
    public static void Announce(int interfaceIndex, PhysicalAddress mac, IPAddress address, IPAddress? source = null, int count = 1)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Send(interfaceIndex, NeighbourAnnouncement.EtherTypeArp, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], NeighbourAnnouncement.GratuitousArp(mac, address), address, count);
        }
        else
        {
            Send(interfaceIndex, NeighbourAnnouncement.EtherTypeIPv6, NeighbourAnnouncement.AllNodesMac,
                NeighbourAnnouncement.UnsolicitedNeighbourAdvertisement(mac, source ?? address, address), address, count);
        }
    }

    /// <summary>An EtherType as sockaddr_ll wants it: in network byte order.</summary>
    internal static ushort NetworkOrder(ushort etherType) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(etherType) : etherType;

    private static unsafe void Send(int interfaceIndex, ushort etherType, byte[] destination, byte[] frame, IPAddress address, int count)
    {
        ushort protocol = NetworkOrder(etherType);
        using SafePacketSocketHandle socket = Libc.PacketSocket(Libc.AF_PACKET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, protocol);
        if (socket.IsInvalid)
        {
            throw NetlinkException.FromLastError($"opening a packet socket to announce {address} (this needs CAP_NET_RAW)");
        }

        var target = new SockAddrLinkLayer { Family = Libc.AF_PACKET, Protocol = protocol, InterfaceIndex = interfaceIndex, AddressLength = 6 };
        for (int i = 0; i < 6; i++)
        {
            target.Address[i] = destination[i];
        }

        fixed (byte* data = frame)
        {
            for (int i = 0; i < count; i++)
            {
                if (Libc.SendTo(socket, data, (nuint)frame.Length, 0, &target, (uint)sizeof(SockAddrLinkLayer)) < 0)
                {
                    throw NetlinkException.FromLastError($"announcing {address} on interface {interfaceIndex}");
                }
            }
        }
    }
}
