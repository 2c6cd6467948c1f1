namespace Fusis.Core.Cluster;

/// <summary>What a balancer does in a cluster: the leader holds the VIPs and decides membership and health.</summary>
public enum ClusterRole
{
    /// <summary>Programs the same IPVS table (warm) and holds no VIP.</summary>
    Standby,

    Leader,
}
