namespace Fusis.Netlink.Ipvs;

/// <summary>IP_VS_TUNNEL_ENCAP_FLAG_* for GUE and GRE tunnels (ipvsadm --tun-nocsum, --tun-csum, --tun-remcsum).</summary>
public enum IpvsTunnelChecksum : ushort
{
    None = 0,
    Checksum = 1,
    RemoteChecksum = 2,
}
