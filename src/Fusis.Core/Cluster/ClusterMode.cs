namespace Fusis.Core.Cluster;

/// <summary>How a cluster's balancers share the VIPs.</summary>
public enum ClusterMode
{
    /// <summary>Active/standby: the leader holds every VIP, the others stand by with the same table.</summary>
    Leader,

    /// <summary>Active/active: every balancer holds every VIP and announces it over BGP; the router spreads flows (ECMP).</summary>
    Anycast,
}
