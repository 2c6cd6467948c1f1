using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Fusis.Netlink.Packet;

/// <summary>
/// The frames that tell a segment an address has moved to this host's link-layer address: a gratuitous ARP request
/// for IPv4 (sender = target = the address, broadcast, as keepalived sends it) and an unsolicited neighbour
/// advertisement for IPv6 (to all nodes, Override set, hop limit 255, with the target link-layer address option).
/// </summary>
public static class NeighbourAnnouncement
{
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeIPv6 = 0x86DD;

    /// <summary>The 28-byte ARP body (the kernel adds the Ethernet header).</summary>
    public static byte[] GratuitousArp(PhysicalAddress mac, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(mac);
        ArgumentNullException.ThrowIfNull(address);
        byte[] hardware = Hardware(mac);
        byte[] ip = address.AddressFamily == AddressFamily.InterNetwork ? address.GetAddressBytes() : throw new ArgumentException($"{address} is not IPv4", nameof(address));
        var frame = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), 0x0800); // IPv4
        frame[4] = 6;
        frame[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), 1); // request
        hardware.CopyTo(frame, 8);
        ip.CopyTo(frame, 14);
        frame.AsSpan(18, 6).Fill(0xff); // target hardware: broadcast, as keepalived writes it
        ip.CopyTo(frame, 24);
        return frame;
    }

    /// <summary>The IPv6 packet (header and ICMPv6 neighbour advertisement, 72 bytes) from <paramref name="source"/>.</summary>
    public static byte[] UnsolicitedNeighbourAdvertisement(PhysicalAddress mac, IPAddress source, IPAddress target)
    {
        ArgumentNullException.ThrowIfNull(mac);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.AddressFamily != AddressFamily.InterNetworkV6 || target.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"{source} and {target} must be IPv6");
        }

        const int IcmpLength = 24 + 8;
        var packet = new byte[40 + IcmpLength];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), IcmpLength);
        packet[6] = 58; // ICMPv6
        packet[7] = 255; // receivers drop neighbour discovery with any other hop limit
        source.GetAddressBytes().CopyTo(packet, 8);
        AllNodes.GetAddressBytes().CopyTo(packet, 24);
        Span<byte> icmp = packet.AsSpan(40);
        icmp[0] = 136; // neighbour advertisement
        icmp[4] = 0x20; // Override
        target.GetAddressBytes().CopyTo(icmp[8..]);
        icmp[24] = 2; // target link-layer address
        icmp[25] = 1; // in units of 8 bytes
        Hardware(mac).CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(packet.AsSpan(8, 16), packet.AsSpan(24, 16), icmp));
        return packet;
    }

    /// <summary>ff02::1, every node on the link.</summary>
    public static IPAddress AllNodes { get; } = IPAddress.Parse("ff02::1");

    /// <summary>The link-layer destination of an advertisement to all nodes: 33:33 and the group's last four bytes.</summary>
    public static byte[] AllNodesMac { get; } = [0x33, 0x33, 0, 0, 0, 1];

    // The internet checksum over the IPv6 pseudo-header and the ICMPv6 message.
    internal static ushort Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> icmp)
    {
        ulong sum = 0;
        static ulong Add(ReadOnlySpan<byte> bytes)
        {
            ulong total = 0;
            for (int i = 0; i + 1 < bytes.Length; i += 2)
            {
                total += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
            }

            return bytes.Length % 2 == 1 ? total + ((ulong)bytes[^1] << 8) : total;
        }

        sum += Add(source) + Add(destination) + (uint)icmp.Length + 58u + Add(icmp);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)(~sum & 0xffff);
    }

    private static byte[] Hardware(PhysicalAddress mac)
    {
        byte[] bytes = mac.GetAddressBytes();
        return bytes.Length == 6 ? bytes : throw new ArgumentException($"'{mac}' is not an Ethernet address", nameof(mac));
    }
}
