using Fusis.Core.Cluster;
using Fusis.Etcd;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// This balancer's place in a cluster (with Etcd set): the election, the shared store and the etcd connection. A
/// balancer without a cluster is its own leader: it holds its VIPs and decides membership and health itself.
/// </summary>
internal sealed class ClusterNode(string name, LeaderElection? election, EtcdDesiredStateStore? store, EtcdConnection? etcd, PeerQuorum? quorum)
{
    public static ClusterNode Alone(string name) => new(name, null, null, null, null);

    public string Name { get; } = name;

    public LeaderElection? Election { get; } = election;

    public EtcdDesiredStateStore? Store { get; } = store;

    public EtcdConnection? Etcd { get; } = etcd;

    /// <summary>Asks the peers whether anyone else could lead, while the leader cannot renew.</summary>
    public PeerQuorum? Quorum { get; } = quorum;

    public bool InCluster => Election is not null;

    /// <summary>How the cluster shares the VIPs (a balancer alone: Leader).</summary>
    public ClusterMode Mode { get; init; } = ClusterMode.Leader;

    /// <summary>Whether every balancer holds the VIPs and announces them over BGP (membership and health are still the leader's to decide).</summary>
    public bool Anycast => Mode == ClusterMode.Anycast;

    /// <summary>Whether this balancer takes membership and health decisions (and, in leader mode, holds the VIPs).</summary>
    public bool Leads => Election is null || Election.Role == ClusterRole.Leader;
}
