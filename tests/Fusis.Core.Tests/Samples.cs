using System.Net;
using System.Net.Sockets;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Tests;

internal static class Samples
{
    public static IpvsServiceKey Tcp(string address, ushort port) => IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse(address), port);

    public static IpvsDestination Destination(string address, ushort port, int weight = 1) =>
        new() { Address = IPAddress.Parse(address), Port = port, Weight = weight };

    /// <summary>A state using every option the store writes.</summary>
    public static DesiredState EveryOption() => new(
        [
            new DesiredService(
                "web",
                new IpvsService { Key = Tcp("198.18.0.1", 80), Scheduler = "wrr", Flags = IpvsServiceFlags.Persistent, Timeout = 300, Netmask = 0xFFFFFF00 },
                [
                    Destination("198.18.1.1", 8080, 3),
                    new IpvsDestination
                    {
                        Address = IPAddress.Parse("198.18.1.2"), Port = 80, ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue,
                        TunnelPort = 6080, TunnelChecksum = IpvsTunnelChecksum.RemoteChecksum, UpperThreshold = 100, LowerThreshold = 10,
                    },
                    Destination("198.18.1.3", 80) with { ForwardingMethod = IpvsForwardingMethod.DirectRoute, Weight = 0 },
                ]),
            new DesiredService(
                "sip",
                new IpvsService
                {
                    Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("fd00::5"), 5060), Scheduler = "sh",
                    Flags = IpvsServiceFlags.Persistent | IpvsServiceFlags.OnePacket | IpvsServiceFlags.SchedulerPort, Timeout = 60, Netmask = 64,
                    PersistenceEngine = "sip",
                },
                []),
            new DesiredService("marked", new IpvsService { Key = IpvsServiceKey.ForFirewallMark(7, AddressFamily.InterNetworkV6), Scheduler = "mh" }, []),
        ],
        [Tcp("198.18.0.99", 443), IpvsServiceKey.ForFirewallMark(3)]);
}
