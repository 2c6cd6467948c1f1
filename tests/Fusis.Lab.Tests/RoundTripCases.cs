using System.Net;
using System.Net.Sockets;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>
/// Every option of services and destinations that ipvsadm 1.31 can save, with its save line as ipvsadm prints it
/// (captured from the real ipvsadm in the lab). Thresholds are not part of ipvsadm's save format; see the
/// threshold test.
/// </summary>
internal static class RoundTripCases
{
    public static readonly IReadOnlyDictionary<string, RoundTripCase> All = Build().ToDictionary(c => c.Name);

    public static TheoryData<string> Names => new(All.Keys);

    private static IEnumerable<RoundTripCase> Build()
    {
        static IpvsServiceKey Tcp(string address, ushort port) => IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse(address), port);
        static IpvsServiceKey Udp(string address, ushort port) => IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse(address), port);
        static IpvsDestination Dest(string address, ushort port) => new() { Address = IPAddress.Parse(address), Port = port };

        foreach (string scheduler in new[] { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh" })
        {
            yield return new RoundTripCase(
                $"scheduler {scheduler}",
                new IpvsService { Key = Tcp("198.18.0.1", 80), Scheduler = scheduler },
                [],
                [$"-A -t 198.18.0.1:80 -s {scheduler}"]);
        }

        yield return new RoundTripCase(
            "udp service",
            new IpvsService { Key = Udp("198.18.0.1", 53), Scheduler = "wrr" },
            [],
            ["-A -u 198.18.0.1:53 -s wrr"]);
        yield return new RoundTripCase(
            "sctp service",
            new IpvsService { Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Sctp, IPAddress.Parse("198.18.0.1"), 3868), Scheduler = "lc" },
            [],
            ["-A --sctp-service 198.18.0.1:3868 -s lc"]);
        yield return new RoundTripCase(
            "ipv6 service with ipv6 and mixed-family tunnel destinations",
            new IpvsService { Key = Tcp("fd00::1", 443), Scheduler = "wlc" },
            [
                Dest("fd00:1::1", 443) with { Weight = 3 },
                Dest("198.18.1.8", 443) with { ForwardingMethod = IpvsForwardingMethod.Tunnel, Weight = 2 },
            ],
            [
                "-A -t [fd00::1]:443 -s wlc",
                "-a -t [fd00::1]:443 -r [fd00:1::1]:443 -m -w 3",
                "-a -t [fd00::1]:443 -r 198.18.1.8:443 -i -w 2 --tun-type ipip",
            ]);
        yield return new RoundTripCase(
            "every forwarding method and tunnel type",
            new IpvsService { Key = Tcp("198.18.0.1", 80), Scheduler = "rr" },
            [
                Dest("198.18.1.1", 8080),
                Dest("198.18.1.2", 80) with { ForwardingMethod = IpvsForwardingMethod.DirectRoute, Weight = 0 },
                Dest("198.18.1.3", 80) with { ForwardingMethod = IpvsForwardingMethod.Tunnel, Weight = 5 },
                Dest("198.18.1.4", 80) with
                {
                    ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue, TunnelPort = 6080,
                    TunnelChecksum = IpvsTunnelChecksum.Checksum,
                },
                Dest("198.18.1.5", 80) with
                {
                    ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue, TunnelPort = 6081,
                    TunnelChecksum = IpvsTunnelChecksum.RemoteChecksum,
                },
                Dest("198.18.1.6", 80) with { Weight = 65535 },
                Dest("198.18.1.7", 80) with { ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue, TunnelPort = 6082 },
                Dest("198.18.1.8", 80) with
                {
                    ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gre, TunnelChecksum = IpvsTunnelChecksum.Checksum,
                },
                Dest("198.18.1.9", 80) with { ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gre },
            ],
            [
                "-A -t 198.18.0.1:80 -s rr",
                "-a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 1",
                "-a -t 198.18.0.1:80 -r 198.18.1.2:80 -g -w 0",
                "-a -t 198.18.0.1:80 -r 198.18.1.3:80 -i -w 5 --tun-type ipip",
                "-a -t 198.18.0.1:80 -r 198.18.1.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum",
                "-a -t 198.18.0.1:80 -r 198.18.1.5:80 -i -w 1 --tun-type gue --tun-port 6081 --tun-remcsum",
                "-a -t 198.18.0.1:80 -r 198.18.1.6:80 -m -w 65535",
                "-a -t 198.18.0.1:80 -r 198.18.1.7:80 -i -w 1 --tun-type gue --tun-port 6082 --tun-nocsum",
                "-a -t 198.18.0.1:80 -r 198.18.1.8:80 -i -w 1 --tun-type gre --tun-csum",
                "-a -t 198.18.0.1:80 -r 198.18.1.9:80 -i -w 1 --tun-type gre --tun-nocsum",
            ]);
        yield return new RoundTripCase(
            "persistent all-ports service with netmask",
            new IpvsService
            {
                Key = Tcp("198.18.0.2", 0),
                Scheduler = "lblc",
                Flags = IpvsServiceFlags.Persistent,
                Timeout = 600,
                Netmask = 0xFFFFFF00,
            },
            [],
            ["-A -t 198.18.0.2:0 -s lblc -p 600 -M 255.255.255.0"]);
        yield return new RoundTripCase(
            "ipv6 persistence with prefix length",
            new IpvsService { Key = Tcp("fd00::2", 80), Scheduler = "lblcr", Flags = IpvsServiceFlags.Persistent, Timeout = 300, Netmask = 64 },
            [],
            ["-A -t [fd00::2]:80 -s lblcr -p 300 -M 64"]);
        yield return new RoundTripCase(
            "sip persistence engine",
            new IpvsService
            {
                Key = Udp("198.18.0.3", 5060),
                Scheduler = "dh",
                Flags = IpvsServiceFlags.Persistent,
                Timeout = 360,
                PersistenceEngine = "sip",
            },
            [],
            ["-A -u 198.18.0.3:5060 -s dh -p 360 --pe sip"]);
        yield return new RoundTripCase(
            "one-packet scheduling",
            new IpvsService { Key = Udp("198.18.0.4", 53), Scheduler = "sed", Flags = IpvsServiceFlags.OnePacket },
            [],
            ["-A -u 198.18.0.4:53 -s sed -o"]);
        yield return new RoundTripCase(
            "scheduler flag 3",
            new IpvsService { Key = Tcp("198.18.0.8", 80), Scheduler = "rr", Flags = IpvsServiceFlags.SchedulerFlag3 },
            [],
            ["-A -t 198.18.0.8:80 -s rr -b flag-3"]);
        yield return new RoundTripCase(
            "firewall mark with sh flags and direct-routing destinations",
            new IpvsService
            {
                Key = IpvsServiceKey.ForFirewallMark(7),
                Scheduler = "sh",
                Flags = IpvsServiceFlags.SchedulerFallback | IpvsServiceFlags.SchedulerPort,
            },
            [
                Dest("198.18.1.9", 0) with { ForwardingMethod = IpvsForwardingMethod.DirectRoute },
                Dest("198.18.1.10", 0) with { ForwardingMethod = IpvsForwardingMethod.DirectRoute },
            ],
            [
                "-A -f 7 -s sh -b sh-fallback,sh-port",
                "-a -f 7 -r 198.18.1.9:0 -g -w 1",
                "-a -f 7 -r 198.18.1.10:0 -g -w 1",
            ]);
        yield return new RoundTripCase(
            "ipv6 firewall mark with mh flags",
            new IpvsService
            {
                Key = IpvsServiceKey.ForFirewallMark(9, AddressFamily.InterNetworkV6),
                Scheduler = "mh",
                Flags = IpvsServiceFlags.SchedulerFallback | IpvsServiceFlags.SchedulerPort,
            },
            [],
            ["-A -f 9 -6 -s mh -b mh-fallback,mh-port"]);
    }
}
