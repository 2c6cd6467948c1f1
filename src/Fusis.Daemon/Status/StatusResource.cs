using Fusis.Core.Events;

namespace Fusis.Daemon.Status;

/// <summary>
/// What the status page shows, one page of services at a time: this balancer (its role and the leader in a cluster,
/// whether it reaches Serf and etcd; null where it uses neither), the services matching the filter, and the recent events.
/// </summary>
internal sealed record StatusResource(
    string Node,
    string Role,
    string? Leader,
    string Version,
    bool? SerfReachable,
    bool? EtcdReachable,
    string? Filter,
    bool Problems,
    int Services,
    int Page,
    int Pages,
    int Size,
    long LastEventId,
    IReadOnlyList<ServiceStatus> Items,
    IReadOnlyList<FusisEvent> Events);
