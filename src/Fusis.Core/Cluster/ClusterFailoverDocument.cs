namespace Fusis.Core.Cluster;

/// <summary>The last failover as kept in etcd, so every balancer reports the same one.</summary>
internal sealed class ClusterFailoverDocument
{
    public DateTimeOffset At { get; set; }

    public string? From { get; set; }

    public string? To { get; set; }

    public string? Reason { get; set; }
}
