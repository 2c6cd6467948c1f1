namespace Fusis.Core.Model;

/// <summary>
/// One BGP session of an anycast balancer, as its BIRD reports it: BIRD's name for it, the peer, BIRD's state (up,
/// start, down), the BGP state (Established, Active, Connect...), since when, and how many VIPs it announces to the peer.
/// </summary>
public sealed record FusisBgpSession(string Name, string? Peer, string State, string BgpState, DateTimeOffset? Since, int Announced)
{
    public bool Established => BgpState == "Established";
}
