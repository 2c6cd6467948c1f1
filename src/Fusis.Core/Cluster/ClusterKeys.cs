namespace Fusis.Core.Cluster;

/// <summary>
/// Where a cluster keeps things in etcd, under one prefix. The desired state is one key per service, so a change
/// writes only what it touches; one revision key, bumped by every write and compared by the next, serializes the
/// writers, so a change is always checked against exactly the state it was validated on (names and addresses are
/// unique across services). The election's keys live beside it, outside the state.
/// </summary>
public sealed class ClusterKeys
{
    public ClusterKeys(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        Prefix = prefix.EndsWith('/') ? prefix : prefix + "/";
    }

    public string Prefix { get; }

    /// <summary>Everything of the desired state (one range read gets it all).</summary>
    public string State => Prefix + "state/";

    public string Services => State + "services/";

    public string Settings => State + "settings";

    public string Revision => State + "revision";

    /// <summary>The leader's name, attached to its lease.</summary>
    public string Leader => Prefix + "cluster/leader";

    /// <summary>The last failover (time, from, to, reason), written by the leader it made.</summary>
    public string Failover => Prefix + "cluster/failover";

    /// <summary>One key per running balancer, attached to its lease.</summary>
    public string Nodes => Prefix + "cluster/nodes/";

    /// <summary>A service's key: its name in lower case (names are unique regardless of case).</summary>
    public string Service(string name) => Services + name.ToLowerInvariant();

    public string Node(string name) => Nodes + name;
}
