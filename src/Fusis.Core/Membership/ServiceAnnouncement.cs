using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Membership;

/// <summary>One service a backend serves: the balancer service's name, the backend's port, its weight, its forwarding method.</summary>
public sealed record ServiceAnnouncement(string Service, ushort Port, int Weight = 1, IpvsForwardingMethod? Mode = null);
