namespace Fusis.Core.Cluster;

/// <summary>A balancer's registration in etcd (attached to its lease): where its API answers.</summary>
internal sealed class ClusterNodeDocument
{
    public string? Api { get; set; }
}
