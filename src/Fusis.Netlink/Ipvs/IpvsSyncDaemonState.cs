namespace Fusis.Netlink.Ipvs;

/// <summary>IP_VS_STATE_*: the role of a connection-synchronisation daemon.</summary>
public enum IpvsSyncDaemonState : uint
{
    Master = 1,
    Backup = 2,
}
