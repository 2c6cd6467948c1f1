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

    /// <summary>Whether this balancer holds the VIPs and takes membership and health decisions.</summary>
    public bool Leads => Election is null || Election.Role == ClusterRole.Leader;
}
