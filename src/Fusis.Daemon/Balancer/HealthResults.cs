using System.Collections.Concurrent;
using System.Net;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// Each checked destination's last probe, as the status page shows it, and whether this balancer's own probes hold it
/// down (on the balancers that probe: the leader, and in anycast every balancer, which withdraws a VIP it cannot serve).
/// </summary>
internal sealed class HealthResults
{
    private readonly ConcurrentDictionary<(IpvsServiceKey Service, IPEndPoint Destination), HealthResult> _last = new();
    private readonly ConcurrentDictionary<(IpvsServiceKey Service, IPEndPoint Destination), bool> _down = new();

    public void SetDown(IpvsServiceKey service, IPEndPoint destination, bool down) => _down[(service, destination)] = down;

    /// <summary>Whether this balancer's probes hold the destination down; null: it does not probe it.</summary>
    public bool? IsDown(IpvsServiceKey service, IPEndPoint destination) => _down.TryGetValue((service, destination), out bool down) ? down : null;

    public void Record(IpvsServiceKey service, IPEndPoint destination, HealthResult result) => _last[(service, destination)] = result;

    public HealthResult? Last(IpvsServiceKey service, IPEndPoint destination) => _last.GetValueOrDefault((service, destination));

    /// <summary>Forgets destinations no longer checked.</summary>
    public void Keep(IReadOnlySet<(IpvsServiceKey, IPEndPoint)> checkedNow)
    {
        foreach (var key in _last.Keys.Where(k => !checkedNow.Contains(k)))
        {
            _last.TryRemove(key, out _);
        }

        foreach (var key in _down.Keys.Where(k => !checkedNow.Contains(k)))
        {
            _down.TryRemove(key, out _);
        }
    }
}
