using Fusis.Core.Cluster;

namespace Fusis.Core.Api;

/// <summary>
/// GET /cluster: this balancer's name and role, the leader, the balancers etcd knows (each holds a lease), etcd's
/// reachability (and whether this leader keeps the VIPs because no balancer reaches it) and the revision the watch has applied, the lease, and the last failover. A balancer alone is its
/// own leader, with no etcd.
/// </summary>
public sealed record ClusterResource(
    string Node,
    string Role,
    string? Leader,
    IReadOnlyList<string> Nodes,
    string? Etcd,
    bool EtcdReachable,
    bool HoldingWithoutEtcd,
    long WatchRevision,
    double LeaseTtlSeconds,
    double LeaseRemainingSeconds,
    ClusterFailover? LastFailover,
    long Failovers);
