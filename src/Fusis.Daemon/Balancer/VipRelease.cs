using System.Net;
using System.Net.Sockets;
using Fusis.Netlink.Ipvs;
using Fusis.Netlink.Route;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// <c>fusis balancer --release-vips</c>, which the unit runs after the balancer stops, a crash included. A clustered
/// balancer's host must not go on answering for VIPs the next leader holds: the VIPs this balancer added come off its
/// VIP interface, and its master sync daemon (a kernel thread the dead process leaves behind) stops. A balancer alone
/// keeps them, so that traffic flows through its restart.
/// </summary>
internal static class VipRelease
{
    /// <exception cref="Netlink.NetlinkException">The kernel refused (no CAP_NET_ADMIN).</exception>
    public static void Run(BalancerOptions options, TextWriter output)
    {
        if (options.Etcd is null || options.VipInterface is not { } name)
        {
            output.WriteLine("fusis balancer --release-vips: a balancer alone (no Etcd) keeps its VIPs through a restart; nothing to release");
            return;
        }

        var ledger = new VipLedger(options.StatePath);
        using (RtnetlinkClient links = RtnetlinkClient.Open())
        {
            var present = links.GetLink(name) is null ? [] : links.GetAddresses(name).Select(a => a.Address).ToHashSet();
            foreach (IPAddress vip in ledger.Read().Where(present.Contains))
            {
                links.DeleteAddress(name, vip, vip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
                output.WriteLine($"fusis balancer --release-vips: VIP {vip} removed from {name}");
            }
        }

        ledger.Write([]);
        if (options.SyncInterface is not null)
        {
            using IpvsClient ipvs = IpvsClient.Open();
            if (ipvs.GetSyncDaemons().Any(d => d.State == IpvsSyncDaemonState.Master))
            {
                ipvs.StopSyncDaemon(IpvsSyncDaemonState.Master);
                output.WriteLine("fusis balancer --release-vips: the master sync daemon stopped");
            }
        }
    }
}
