using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Membership;

/// <summary>
/// One service a backend serves: the balancer service's name, the backend's port, its weight, its forwarding method,
/// and for a tunnel its kind, port (GUE) and checksum option, as the balancer should set them on the destination.
/// </summary>
public sealed record ServiceAnnouncement(string Service, ushort Port, int Weight = 1, IpvsForwardingMethod? Mode = null)
{
    public IpvsTunnelType TunnelType { get; init; }

    /// <summary>GUE's UDP port on this backend (0 for the other kinds).</summary>
    public ushort TunnelPort { get; init; }

    public IpvsTunnelChecksum TunnelChecksum { get; init; }
}
