namespace Fusis.Core.Cluster;

/// <summary>Another balancer of the cluster, as etcd lists it: its name and its API's base address (null: none given).</summary>
public sealed record ClusterPeer(string Name, string? Api);
