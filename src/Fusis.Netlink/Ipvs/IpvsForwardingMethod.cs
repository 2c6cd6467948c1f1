namespace Fusis.Netlink.Ipvs;

/// <summary>How packets reach a destination (IP_VS_CONN_F_* forwarding values).</summary>
public enum IpvsForwardingMethod : uint
{
    /// <summary>NAT (ipvsadm -m).</summary>
    Masquerade = 0,

    /// <summary>The destination is this host; the kernel picks it by itself for local addresses.</summary>
    Local = 1,

    /// <summary>IP-in-IP, GUE or GRE tunnel (ipvsadm -i).</summary>
    Tunnel = 2,

    /// <summary>Direct routing (ipvsadm -g).</summary>
    DirectRoute = 3,
}
