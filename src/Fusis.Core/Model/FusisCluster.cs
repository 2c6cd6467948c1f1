using Fusis.Core.Cluster;
using Fusis.Core.Vocabulary;

namespace Fusis.Core.Model;

/// <summary>
/// What GET /cluster and Get-FusisCluster show: this balancer's name and role, the leader, the balancers etcd knows (each holds a lease), etcd's
/// reachability (and whether this leader keeps the VIPs because no balancer reaches it) and the revision the watch has applied, the lease, and the last failover. A balancer alone is its
/// own leader, with no etcd. In anycast mode also: the VIPs this balancer announces over BGP, whether it drains, and its BGP sessions.
/// </summary>
public sealed record FusisCluster(
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
    long Failovers)
{
    /// <summary>How the cluster shares the VIPs: leader or anycast.</summary>
    public string Mode { get; init; } = Words.ClusterModes.Word(ClusterMode.Leader);

    /// <summary>The VIPs this balancer announces over BGP now (anycast).</summary>
    public IReadOnlyList<string> Announced { get; init; } = [];

    /// <summary>Whether this balancer drains: it announces no VIP and goes on forwarding what still reaches it (anycast).</summary>
    public bool Draining { get; init; }

    /// <summary>Its BGP daemon's sessions (anycast).</summary>
    public IReadOnlyList<FusisBgpSession> BgpSessions { get; init; } = [];

    /// <summary>What last went wrong talking to the BGP daemon; null: nothing (anycast).</summary>
    public string? BgpProblem { get; init; }

    /// <summary>A balancer that is no cluster's member (no Etcd): its own leader, with no etcd.</summary>
    public static FusisCluster Alone(string node) => new(node, Words.ClusterRoles.Word(ClusterRole.Leader), node, [node], null, false, false, 0, 0, 0, null, 0);
}
