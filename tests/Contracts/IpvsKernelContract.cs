using System.Net;
using System.Net.Sockets;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.TestSupport.Contracts;

/// <summary>
/// What any <see cref="IIpvsKernel"/> must do. Runs against the real kernel in the lab and against the
/// in-memory double on the host, so a unit test that passes on the double means what it would on the kernel.
/// </summary>
public abstract class IpvsKernelContract
{
    private static readonly IpvsServiceKey Web = Key("198.18.0.1", 80);
    private static readonly IpvsService WebService = new() { Key = Web, Scheduler = "wrr" };

    protected abstract IIpvsKernel Kernel { get; }

    [Fact]
    public void Every_kind_of_service_and_destination_reads_back_as_written()
    {
        var v6 = new IpvsService
        {
            Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("fd00::5"), 5060),
            Scheduler = "sh",
            Flags = IpvsServiceFlags.Persistent | IpvsServiceFlags.OnePacket | IpvsServiceFlags.SchedulerPort,
            Timeout = 60,
            Netmask = 64,
            PersistenceEngine = "sip",
        };
        var mark = new IpvsService { Key = IpvsServiceKey.ForFirewallMark(7), Scheduler = "mh", Flags = IpvsServiceFlags.SchedulerFallback };
        IpvsDestination[] destinations =
        [
            Destination("198.18.1.1", 8080) with { Weight = 3, UpperThreshold = 100, LowerThreshold = 10 },
            Destination("198.18.1.2", 80) with
            {
                ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue, TunnelPort = 6080, TunnelChecksum = IpvsTunnelChecksum.Checksum,
            },
            Destination("198.18.1.3", 80) with { ForwardingMethod = IpvsForwardingMethod.DirectRoute, Weight = 0 },
        ];

        AssertAllSucceeded(Kernel.Apply(
        [
            IpvsOperation.AddService(WebService with { Flags = IpvsServiceFlags.Persistent, Timeout = 300, Netmask = 0xFFFFFF00 }),
            .. destinations.Select(d => IpvsOperation.AddDestination(Web, d)),
            IpvsOperation.AddService(v6),
            IpvsOperation.AddDestination(v6.Key, Destination("198.18.1.9", 5060) with { ForwardingMethod = IpvsForwardingMethod.Tunnel }),
            IpvsOperation.AddService(mark),
        ]));

        Assert.Equal(
            new[] { WebService with { Flags = IpvsServiceFlags.Persistent, Timeout = 300, Netmask = 0xFFFFFF00 }, v6, mark with { Netmask = uint.MaxValue } }
                .OrderBy(s => s.Key.ToString(), StringComparer.Ordinal),
            Kernel.GetServices().Select(s => s with { Statistics = null }).OrderBy(s => s.Key.ToString(), StringComparer.Ordinal));
        Assert.Equal(destinations, Kernel.GetDestinations(Web).Select(d => d.WithoutCounters()).OrderBy(d => d.ToString(), StringComparer.Ordinal));
        Assert.All(Kernel.GetServices(), s => Assert.Equal(0UL, s.Statistics!.Connections));
        Assert.Equal(new Version(1, 2, 1), Kernel.GetInfo().Version);
    }

    [Fact]
    public void Errnos_for_the_usual_mistakes()
    {
        IReadOnlyList<IpvsOperationResult> results = Kernel.Apply(
        [
            IpvsOperation.AddService(WebService),
            IpvsOperation.AddService(WebService),
            IpvsOperation.AddService(WebService with { Key = Key("198.18.0.2", 80), Scheduler = "nosuch" }),
            IpvsOperation.AddService(WebService with { Key = Key("198.18.0.3", 80), PersistenceEngine = "nosuch" }),
            IpvsOperation.UpdateService(WebService with { Key = Key("198.18.0.4", 80) }),
            IpvsOperation.DeleteService(Key("198.18.0.4", 80)),
            IpvsOperation.AddDestination(Key("198.18.0.4", 80), Destination("198.18.1.1", 80)),
            IpvsOperation.AddDestination(Web, Destination("198.18.1.1", 80)),
            IpvsOperation.AddDestination(Web, Destination("198.18.1.1", 80)),
            IpvsOperation.UpdateDestination(Web, Destination("198.18.1.2", 80)),
            IpvsOperation.DeleteDestination(Web, Destination("198.18.1.2", 80)),
            IpvsOperation.AddDestination(Web, Destination("fd00:1::1", 80)),
            IpvsOperation.AddDestination(Web, Destination("198.18.1.3", 80) with { UpperThreshold = 5, LowerThreshold = 6 }),
            IpvsOperation.AddDestination(Web, Destination("198.18.1.4", 80) with { LowerThreshold = 6 }),
        ]);

        Assert.Equal(
            [
                Errno.None, Errno.EEXIST, Errno.ENOENT, Errno.ENOENT, Errno.ESRCH, Errno.ESRCH, Errno.ESRCH,
                Errno.None, Errno.EEXIST, Errno.ENOENT, Errno.ENOENT, Errno.EINVAL, Errno.ERANGE, Errno.ERANGE,
            ],
            results.Select(r => r.Error?.Errno ?? Errno.None));
        Assert.Equal([Destination("198.18.1.1", 80)], Kernel.GetDestinations(Web).Select(d => d.WithoutCounters()));
    }

    [Fact]
    public void Mixed_families_only_through_tunnels()
    {
        AssertAllSucceeded(Kernel.Apply(
        [
            IpvsOperation.AddService(WebService),
            IpvsOperation.AddDestination(Web, Destination("fd00:1::1", 80) with { ForwardingMethod = IpvsForwardingMethod.Tunnel }),
        ]));

        Assert.Equal(AddressFamily.InterNetworkV6, Assert.Single(Kernel.GetDestinations(Web)).Address.AddressFamily);
    }

    [Fact]
    public void Invalid_operations_are_refused_before_anything_is_applied()
    {
        Assert.ThrowsAny<ArgumentException>(() => Kernel.Apply(
        [
            IpvsOperation.AddService(WebService),
            IpvsOperation.AddDestination(Web, Destination("198.18.1.1", 80) with { Weight = 70000 }),
        ]));

        Assert.Empty(Kernel.GetServices());
    }

    [Fact]
    public void Edits_keep_destinations_and_deletes_take_them_along()
    {
        AssertAllSucceeded(Kernel.Apply([IpvsOperation.AddService(WebService), IpvsOperation.AddDestination(Web, Destination("198.18.1.1", 80))]));

        AssertAllSucceeded(Kernel.Apply(
        [
            IpvsOperation.UpdateService(WebService with { Scheduler = "lc" }),
            IpvsOperation.UpdateDestination(Web, Destination("198.18.1.1", 80) with { Weight = 7 }),
        ]));
        Assert.Equal("lc", Kernel.GetService(Web)!.Scheduler);
        Assert.Equal(7, Assert.Single(Kernel.GetDestinations(Web)).Weight);

        AssertAllSucceeded(Kernel.Apply([IpvsOperation.DeleteService(Web)]));
        Assert.Null(Kernel.GetService(Web));
        Assert.Empty(Kernel.GetDestinations(Web)); // the kernel's dump of a missing service is simply empty
        Assert.Equal(Errno.ESRCH, Assert.Throws<NetlinkException>(() => Kernel.ZeroStatistics(Web)).Errno);
        AssertAllSucceeded(Kernel.Apply([IpvsOperation.AddService(WebService)]));
        Assert.Empty(Kernel.GetDestinations(Web));
    }

    [Fact]
    public void Timeouts_start_at_the_kernel_defaults_and_a_zero_keeps_one()
    {
        Assert.Equal(new IpvsTimeouts(900, 120, 300), Kernel.GetTimeouts());

        Kernel.SetTimeouts(new IpvsTimeouts(0, 30, 0));
        Assert.Equal(new IpvsTimeouts(900, 30, 300), Kernel.GetTimeouts());

        Kernel.SetTimeouts(new IpvsTimeouts(3600, 0, 45));
        Assert.Equal(new IpvsTimeouts(3600, 30, 45), Kernel.GetTimeouts());
    }

    private static IpvsServiceKey Key(string address, ushort port) => IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse(address), port);

    private static IpvsDestination Destination(string address, ushort port) => new() { Address = IPAddress.Parse(address), Port = port };

    private static void AssertAllSucceeded(IReadOnlyList<IpvsOperationResult> results) =>
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
}
