using System.Net;
using System.Net.Sockets;
using Fusis.Netlink.Ipvs;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Tests;

/// <summary>Golden bytes for every IPVS message the codec builds and parses (layouts from linux/ip_vs.h and ip_vs_ctl.c).</summary>
public sealed class IpvsCodecTests
{
    private const string TcpKey =
        "0600 0100 0200 0000 | 0600 0200 0600 0000 | 1400 0300 c6120001 00000000 00000000 00000000 | 0600 0400 0050 0000";

    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    [Fact]
    public void New_service_carries_key_scheduler_flags_with_mask_timeout_and_network_order_ipv4_netmask()
    {
        var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteNestedService(writer, new IpvsService
        {
            Key = Web,
            Scheduler = "rr",
            Flags = IpvsServiceFlags.Persistent | IpvsServiceFlags.SchedulerPort,
            Timeout = 300,
            Netmask = 0xFFFFFF00,
        });

        Assert.Equal(
            Hex.Of(Hex.Bytes(
                "5400 0180 | " + TcpKey + " | 0700 0600 727200 00 | 0c00 0700 11000000 fdffffff | 0800 0800 2c010000 | 0800 0900 ffffff00")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void Ipv6_firewall_mark_service_with_pe_and_prefix_netmask()
    {
        var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteNestedService(writer, new IpvsService
        {
            Key = IpvsServiceKey.ForFirewallMark(9, AddressFamily.InterNetworkV6),
            Scheduler = "sh",
            PersistenceEngine = "sip",
            Netmask = 64,
        });

        Assert.Equal(
            Hex.Of(Hex.Bytes(
                "4000 0180 | 0600 0100 0a00 0000 | 0800 0500 09000000 | 0700 0600 736800 00 | 0800 0b00 73697000 | " +
                "0c00 0700 00000000 fdffffff | 0800 0800 00000000 | 0800 0900 40000000")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void Gue_tunnel_destination_with_every_setting()
    {
        var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteNestedDestination(writer, new IpvsDestination
        {
            Address = IPAddress.Parse("198.18.1.4"),
            Port = 8080,
            ForwardingMethod = IpvsForwardingMethod.Tunnel,
            Weight = 65535,
            UpperThreshold = 100,
            LowerThreshold = 50,
            TunnelType = IpvsTunnelType.Gue,
            TunnelPort = 6080,
            TunnelChecksum = IpvsTunnelChecksum.RemoteChecksum,
        }, keyOnly: false);

        Assert.Equal(
            Hex.Of(Hex.Bytes(
                "6000 0280 | 0600 0b00 0200 0000 | 1400 0100 c6120104 00000000 00000000 00000000 | 0600 0200 1f90 0000 | " +
                "0800 0300 02000000 | 0800 0400 ffff0000 | 0800 0500 64000000 | 0800 0600 32000000 | " +
                "0500 0d00 01 000000 | 0600 0e00 17c0 0000 | 0600 0f00 0200 0000")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void Delete_destination_sends_only_its_address_and_port()
    {
        var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteNestedDestination(writer, new IpvsDestination { Address = IPAddress.Parse("fd00::5"), Port = 443, Weight = 9 }, keyOnly: true);

        Assert.Equal(
            Hex.Of(Hex.Bytes("2800 0280 | 0600 0b00 0a00 0000 | 1400 0100 fd000000 00000000 00000000 00000005 | 0600 0200 01bb 0000")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void Reads_a_service_reply_preferring_64_bit_stats_and_dropping_the_hashed_flag()
    {
        // 4 + key 44 + SCHED 8 + FLAGS 12 + TIMEOUT 8 + NETMASK 8 + STATS 28 + STATS64 44 (with a zero-length PAD, as nla_put_64bit adds) = 156
        byte[] payload = Hex.Bytes(
            "04 01 0000 | 9c00 0100 | " + TcpKey + " | 0800 0600 77727200 | 0c00 0700 03000000 ffffffff | 0800 0800 2c010000 | 0800 0900 ffff0000 | " +
            "1c00 0a00 | 0800 0100 07000000 | 0800 0200 08000000 | 0800 0300 09000000 | " +
            "2c00 0c00 | 0c00 0100 0700000001000000 | 0c00 0400 0100000000000000 | 0400 0b00 | 0c00 0a00 0200000000000000");

        IpvsService service = IpvsCodec.ReadServiceMessage(default, payload)!;

        Assert.Equal(Web, service.Key);
        Assert.Equal("wrr", service.Scheduler);
        Assert.Equal(IpvsServiceFlags.Persistent, service.Flags);
        Assert.Equal(300u, service.Timeout);
        Assert.Equal(0xFFFF0000u, service.Netmask);
        Assert.Equal(new IpvsStatistics(0x1_0000_0007, 0, 0, 1, 0, 0, 0, 0, 0, 2), service.Statistics);
    }

    [Fact]
    public void Reads_a_destination_reply()
    {
        byte[] payload = Hex.Bytes(
            "05 01 0000 | 6000 0200 | 0600 0b00 0a00 0000 | 1400 0100 fd000000 00000000 00000000 00000005 | 0600 0200 01bb 0000 | " +
            "0800 0300 03000000 | 0800 0400 05000000 | 0800 0500 00000000 | 0800 0600 00000000 | " +
            "0800 0700 0b000000 | 0800 0800 0c000000 | 0800 0900 0d000000");

        IpvsDestination destination = IpvsCodec.ReadDestinationMessage(default, payload)!;

        Assert.Equal(
            new IpvsDestination
            {
                Address = IPAddress.Parse("fd00::5"),
                Port = 443,
                ForwardingMethod = IpvsForwardingMethod.DirectRoute,
                Weight = 5,
                ActiveConnections = 11,
                InactiveConnections = 12,
                PersistentConnections = 13,
            },
            destination);
    }

    [Fact]
    public void Reads_info_timeouts_and_sync_daemons()
    {
        IpvsInfo info = IpvsCodec.ReadInfo(Hex.Bytes("0e 01 0000 | 0800 0100 01020100 | 0800 0200 00100000"));
        IpvsTimeouts timeouts = IpvsCodec.ReadTimeouts(Hex.Bytes("0d 01 0000 | 0800 0400 84030000 | 0800 0500 78000000 | 0800 0600 2c010000"));
        IpvsSyncDaemon daemon = IpvsCodec.ReadSyncDaemonMessage(default, Hex.Bytes(
            "0b 01 0000 | 4000 0300 | 0800 0100 02000000 | 0b00 0200 6673796e633000 00 | 0800 0300 06000000 | " +
            "0600 0400 e803 0000 | 0800 0500 e0000064 | 0600 0700 c422 0000 | 0500 0800 03 000000"))!;

        Assert.Equal(new IpvsInfo(new Version(1, 2, 1), 4096), info);
        Assert.Equal(new IpvsTimeouts(900, 120, 300), timeouts);
        Assert.Equal(
            new IpvsSyncDaemon
            {
                State = IpvsSyncDaemonState.Backup,
                Interface = "fsync0",
                SyncId = 6,
                MaxLength = 1000,
                MulticastGroup = IPAddress.Parse("224.0.0.100"),
                MulticastPort = 8900,
                MulticastTtl = 3,
            },
            daemon);
    }

    [Fact]
    public void A_service_reply_with_an_unknown_protocol_is_a_protocol_error()
    {
        // TCP key with protocol 253 (an IANA experimental number IPVS does not balance).
        byte[] payload = Hex.Bytes("04 01 0000 | 3800 0100 | " + TcpKey.Replace("0600 0200 0600 0000", "0600 0200 fd00 0000", StringComparison.Ordinal) + " | 0800 0600 72720000");

        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.ReadServiceMessage(default, payload));
    }

    [Theory]
    [InlineData("")]                  // no scheduler
    [InlineData("round-robin")]       // not a module name
    [InlineData("averyveryverylongname")]
    public void Invalid_scheduler_names_are_refused_before_anything_is_written(string scheduler)
    {
        var writer = new NetlinkMessageWriter();

        Assert.Throws<ArgumentException>(() => IpvsCodec.WriteNestedService(writer, new IpvsService { Key = Web, Scheduler = scheduler }));
        Assert.Equal(0, writer.Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Weights_outside_0_to_65535_are_refused(int weight)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            IpvsCodec.WriteNestedDestination(new NetlinkMessageWriter(), new IpvsDestination { Address = IPAddress.Loopback, Weight = weight }, keyOnly: false));
    }

    [Fact]
    public void Service_keys_are_validated_and_print_as_ipvsadm_does()
    {
        Assert.Equal("TCP 198.18.0.1:80", Web.ToString());
        Assert.Equal("UDP [fd00::1]:53", IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("fd00::1"), 53).ToString());
        Assert.Equal("FWM 7 IPv6", IpvsServiceKey.ForFirewallMark(7, AddressFamily.InterNetworkV6).ToString());
        Assert.Equal(Web, IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("::ffff:198.18.0.1"), 80));
        Assert.Throws<ArgumentOutOfRangeException>(() => IpvsServiceKey.ForFirewallMark(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IpvsServiceKey.ForEndPoint(IpvsProtocol.None, IPAddress.Loopback, 1));
    }
}
