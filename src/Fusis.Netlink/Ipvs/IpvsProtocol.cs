namespace Fusis.Netlink.Ipvs;

/// <summary>Transport protocols IPVS balances (IANA protocol numbers).</summary>
public enum IpvsProtocol : ushort
{
    /// <summary>Firewall-mark services have no protocol of their own.</summary>
    None = 0,
    Tcp = 6,
    Udp = 17,
    Sctp = 132,
}
