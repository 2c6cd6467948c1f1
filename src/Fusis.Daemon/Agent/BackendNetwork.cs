using System.Net;
using System.Net.Sockets;
using Fusis.Netlink.Route;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Agent;

/// <summary>
/// What a direct-routing or tunnel backend needs: each VIP on lo (so it accepts the packets the balancer forwards
/// unchanged) and ARP settings so it never answers for the VIP on the wire (arp_ignore=1, arp_announce=2). Every
/// change is remembered and undone on <see cref="Dispose"/>; nothing else is touched.
/// </summary>
internal sealed partial class BackendNetwork(ILogger logger) : IDisposable
{
    private static readonly (string Path, string Value)[] ArpSysctls =
    [
        ("/proc/sys/net/ipv4/conf/all/arp_ignore", "1"),
        ("/proc/sys/net/ipv4/conf/all/arp_announce", "2"),
        ("/proc/sys/net/ipv4/conf/lo/arp_ignore", "1"),
        ("/proc/sys/net/ipv4/conf/lo/arp_announce", "2"),
    ];

    private readonly List<(string Path, string Previous)> _sysctls = [];
    private readonly HashSet<IPAddress> _vips = [];

    /// <summary>Makes the VIPs on lo exactly <paramref name="vips"/> (among those this agent added).</summary>
    public void Converge(IReadOnlyCollection<IPAddress> vips)
    {
        if (vips.Count > 0 && _sysctls.Count == 0)
        {
            foreach ((string path, string value) in ArpSysctls)
            {
                string previous = File.ReadAllText(path).Trim();
                File.WriteAllText(path, value);
                _sysctls.Add((path, previous));
            }
        }

        using RtnetlinkClient links = RtnetlinkClient.Open();
        var present = links.GetAddresses("lo").Select(a => a.Address).ToHashSet();
        foreach (IPAddress vip in vips.Where(v => !_vips.Contains(v)))
        {
            if (!present.Contains(vip))
            {
                links.AddAddress("lo", vip, Prefix(vip));
                _vips.Add(vip);
                LogVip(logger, vip.ToString(), "added to");
            }
        }

        foreach (IPAddress vip in _vips.Where(v => !vips.Contains(v)).ToList())
        {
            links.DeleteAddress("lo", vip, Prefix(vip));
            _vips.Remove(vip);
            LogVip(logger, vip.ToString(), "removed from");
        }
    }

    public void Dispose()
    {
        Converge([]);
        foreach ((string path, string previous) in _sysctls)
        {
            File.WriteAllText(path, previous);
        }

        _sysctls.Clear();
    }

    private static int Prefix(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;

    [LoggerMessage(Level = LogLevel.Information, Message = "network: VIP {Address} {Action} lo")]
    private static partial void LogVip(ILogger logger, string address, string action);
}
