using System.Collections.Concurrent;
using System.Net;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Balancer;

/// <summary>Each checked destination's last probe, as the status page shows it (on the balancer that probes: the leader).</summary>
internal sealed class HealthResults
{
    private readonly ConcurrentDictionary<(IpvsServiceKey Service, IPEndPoint Destination), HealthResult> _last = new();

    public void Record(IpvsServiceKey service, IPEndPoint destination, HealthResult result) => _last[(service, destination)] = result;

    public HealthResult? Last(IpvsServiceKey service, IPEndPoint destination) => _last.GetValueOrDefault((service, destination));

    /// <summary>Forgets destinations no longer checked.</summary>
    public void Keep(IReadOnlySet<(IpvsServiceKey, IPEndPoint)> checkedNow)
    {
        foreach (var key in _last.Keys.Where(k => !checkedNow.Contains(k)))
        {
            _last.TryRemove(key, out _);
        }
    }
}
