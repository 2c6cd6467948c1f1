using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Fusis.Netlink.Packet;

namespace Fusis.Netlink.Tests;

public sealed class NeighbourAnnouncementTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-00-c6-12-00-01");

    [Fact]
    public void A_gratuitous_arp_is_a_broadcast_request_with_the_address_as_sender_and_target()
    {
        byte[] frame = NeighbourAnnouncement.GratuitousArp(Mac, IPAddress.Parse("198.18.0.100"));

        Assert.Equal(Convert.FromHexString("0001" + "0800" + "06" + "04" + "0001" + "0200c6120001" + "c6120064" + "ffffffffffff" + "c6120064"), frame);
    }

    [Fact]
    public void An_unsolicited_advertisement_overrides_from_hop_limit_255_with_a_valid_checksum()
    {
        IPAddress source = IPAddress.Parse("fe80::1"), target = IPAddress.Parse("fd00::100");

        byte[] packet = NeighbourAnnouncement.UnsolicitedNeighbourAdvertisement(Mac, source, target);

        Assert.Equal(72, packet.Length);
        Assert.Equal(0x60, packet[0]);
        Assert.Equal(32, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4)));
        Assert.Equal([58, 255], packet[6..8]);
        Assert.Equal(IPAddress.Parse("ff02::1").GetAddressBytes(), packet[24..40]);
        Assert.Equal([136, 0], packet[40..42]);
        Assert.Equal(0x20, packet[44]); // Override, not Solicited, not Router
        Assert.Equal(target.GetAddressBytes(), packet[48..64]);
        Assert.Equal(Convert.FromHexString("0201" + "0200c6120001"), packet[64..72]);
        // Summed with its own checksum in place, a valid message sums to zero.
        Assert.Equal(0, NeighbourAnnouncement.Checksum(packet.AsSpan(8, 16), packet.AsSpan(24, 16), packet.AsSpan(40)));
    }

    [Fact]
    public void EtherTypes_above_0x7fff_go_to_network_order_without_overflow()
    {
        // IPv6's EtherType does not fit a signed short: a checked cast through short threw here once (in the lab).
        Assert.Equal(BitConverter.IsLittleEndian ? (ushort)0xDD86 : (ushort)0x86DD, NeighbourAnnouncer.NetworkOrder(NeighbourAnnouncement.EtherTypeIPv6));
        Assert.Equal(BitConverter.IsLittleEndian ? (ushort)0x0608 : (ushort)0x0806, NeighbourAnnouncer.NetworkOrder(NeighbourAnnouncement.EtherTypeArp));
    }

    [Fact]
    public void The_wrong_family_is_refused()
    {
        Assert.Throws<ArgumentException>(() => NeighbourAnnouncement.GratuitousArp(Mac, IPAddress.Parse("fd00::1")));
        Assert.Throws<ArgumentException>(() => NeighbourAnnouncement.UnsolicitedNeighbourAdvertisement(Mac, IPAddress.Parse("fe80::1"), IPAddress.Parse("198.18.0.1")));
    }
}
