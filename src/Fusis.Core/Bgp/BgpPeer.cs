using System.Net;

namespace Fusis.Core.Bgp;

/// <summary>A BGP neighbour the balancer's BGP daemon peers with: its address and its AS number.</summary>
public sealed record BgpPeer(IPAddress Address, uint As);
