namespace Fusis.Netlink.Ipvs;

/// <summary>IP_VS_CONN_F_TUNNEL_TYPE_*.</summary>
public enum IpvsTunnelType : byte
{
    IpIp = 0,
    Gue = 1,
    Gre = 2,
}
