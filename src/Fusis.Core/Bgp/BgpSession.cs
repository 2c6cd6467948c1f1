using System.Net;

namespace Fusis.Core.Bgp;

/// <summary>
/// One BGP session of the balancer's BGP daemon, as BIRD reports it: its protocol name, BIRD's state (up, start,
/// down), the BGP state (Established, Active, Connect...), the neighbour, since when it is in that state, and how
/// many routes it exports (the VIPs announced to that peer).
/// </summary>
public sealed record BgpSession(string Name, string State, string BgpState, IPAddress? Neighbor, DateTimeOffset? Since, int Exported)
{
    public bool Established => BgpState == "Established";
}
