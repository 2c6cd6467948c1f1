using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Fusis.Core.Engine;
using Fusis.Netlink;
using Fusis.Netlink.Packet;
using Fusis.Netlink.Route;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// Configures the balancer's network (with VipInterface set): ip_forward and the IPVS sysctls NAT needs, a dummy
/// interface for the VIPs, and one address on it per owned service, added and removed as services come and go.
/// It removes only addresses it added itself (remembered beside the desired state), and changes no other
/// interface. Replies of NAT destinations must come back through the balancer: their default route points at it.
/// </summary>
internal sealed partial class NetworkService(BalancerEngine engine, BalancerOptions options, ClusterNode node, ILogger<NetworkService> logger) : BackgroundService
{
    private const int AnnouncementBurst = 5;

    private readonly Lock _gate = new();

    // What NAT needs: forwarding; connection tracking of IPVS connections (for SNAT or firewalls); and expiring the
    // connections of a deleted destination at once, so clients retry elsewhere instead of waiting.
    private static readonly (string Path, string Value)[] Sysctls =
    [
        ("/proc/sys/net/ipv4/ip_forward", "1"),
        ("/proc/sys/net/ipv6/conf/all/forwarding", "1"),
        ("/proc/sys/net/ipv4/vs/conntrack", "1"),
        ("/proc/sys/net/ipv4/vs/expire_nodest_conn", "1"),
    ];

    private readonly VipLedger _ledger = new(options.StatePath);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach ((string path, string value) in Sysctls)
        {
            SetSysctl(path, value);
        }

        if (node.InCluster)
        {
            // A connection synced from the old leader arrives at the new one mid-stream, without a SYN.
            SetSysctl("/proc/sys/net/ipv4/vs/sloppy_tcp", "1");
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            ConvergeNow();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Puts the VIPs on the interface if this balancer leads (a balancer alone always does) or the cluster is anycast
    /// (where BgpService decides which it announces), else takes off those it added; from any thread, at once (a
    /// leader that steps down calls it before it goes on).
    /// </summary>
    public void ConvergeNow()
    {
        lock (_gate)
        {
            try
            {
                using RtnetlinkClient links = RtnetlinkClient.Open();
                Converge(links);
            }
            catch (Exception e) when (e is NetlinkException or IOException)
            {
                LogFailed(logger, e.Message);
            }
        }
    }

    private void Converge(RtnetlinkClient links)
    {
        string name = options.VipInterface!;
        NetworkLink link = links.GetLink(name) ?? Created(links.CreateDummyLink(name));
        if (!link.IsUp)
        {
            links.SetLinkUp(name);
        }

        var wanted = node.Leads || node.Anycast ? engine.Current.Services.Where(s => !s.Key.IsFirewallMark).Select(s => s.Key.Address).ToHashSet() : [];
        var present = links.GetAddresses(name).Select(a => a.Address).ToHashSet();
        HashSet<IPAddress> added = _ledger.Read();
        var arrived = new List<IPAddress>();
        foreach (IPAddress address in wanted.Where(a => !present.Contains(a)))
        {
            links.AddAddress(name, address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
            added.Add(address);
            _ledger.Write(added);
            LogVip(logger, "added", address.ToString(), name);
            arrived.Add(address);
        }

        // In anycast the router reaches the VIPs through the routes BGP announces, never by asking for them on a segment.
        if (arrived.Count > 0 && !node.Anycast)
        {
            Announce(links, arrived, first: true);
        }

        foreach (IPAddress address in added.Where(a => !wanted.Contains(a)).ToList())
        {
            if (present.Contains(address))
            {
                links.DeleteAddress(name, address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
                LogVip(logger, "removed", address.ToString(), name);
            }

            added.Remove(address);
            _ledger.Write(added);
        }
    }

    // Neighbours (the router, clients on the segment) still send to the previous holder's link-layer address until
    // told: a burst now and another after a few seconds, as keepalived does, on every other interface that is up.
    private void Announce(RtnetlinkClient links, List<IPAddress> addresses, bool first)
    {
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces().Where(n =>
            n.OperationalStatus != OperationalStatus.Down && n.NetworkInterfaceType != NetworkInterfaceType.Loopback && n.Name != options.VipInterface
            && n.GetPhysicalAddress().GetAddressBytes().Length == 6))
        {
            if (links.GetLink(nic.Name) is not { IsUp: true } link)
            {
                continue;
            }

            PhysicalAddress mac = nic.GetPhysicalAddress();
            IPAddress? linkLocal = nic.GetIPProperties().UnicastAddresses.Select(a => a.Address).FirstOrDefault(a => a.IsIPv6LinkLocal);
            foreach (IPAddress address in addresses)
            {
                try
                {
                    NeighbourAnnouncer.Announce(link.Index, mac, address, linkLocal, AnnouncementBurst);
                }
                catch (NetlinkException e)
                {
                    LogFailed(logger, $"cannot announce {address} on {nic.Name}: {e.Message}");
                }
            }

            LogAnnounced(logger, string.Join(", ", addresses), nic.Name, first ? "first" : "second");
        }

        if (first)
        {
            _ = Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ =>
            {
                lock (_gate)
                {
                    List<IPAddress> still = node.Leads ? addresses.Where(a => engine.Current.Services.Any(s => s.Key.Address.Equals(a))).ToList() : [];
                    if (still.Count > 0)
                    {
                        using RtnetlinkClient again = RtnetlinkClient.Open();
                        Announce(again, still, first: false);
                    }
                }
            }, TaskScheduler.Default);
        }
    }

    private NetworkLink Created(NetworkLink link)
    {
        LogInterfaceCreated(logger, link.Name);
        return link;
    }

    private void SetSysctl(string path, string value)
    {
        try
        {
            string previous = File.ReadAllText(path).Trim();
            if (previous != value)
            {
                File.WriteAllText(path, value);
                LogSysctl(logger, path, previous, value);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFailed(logger, $"cannot set {path}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "network: {Path} {Previous} -> {Value} (set it back by hand to undo)")]
    private static partial void LogSysctl(ILogger logger, string path, string previous, string value);

    [LoggerMessage(Level = LogLevel.Information, Message = "network: announced {Addresses} on {Name} ({Burst} burst)")]
    private static partial void LogAnnounced(ILogger logger, string addresses, string name, string burst);

    [LoggerMessage(Level = LogLevel.Information, Message = "network: created the dummy interface {Name} for the VIPs")]
    private static partial void LogInterfaceCreated(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "network: VIP {Address} {Action} on {Name}")]
    private static partial void LogVip(ILogger logger, string action, string address, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "network: {Problem}")]
    private static partial void LogFailed(ILogger logger, string problem);
}
