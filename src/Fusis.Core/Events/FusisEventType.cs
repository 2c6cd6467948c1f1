namespace Fusis.Core.Events;

/// <summary>What happened; each has one word (<see cref="Vocabulary.Words.EventTypes"/>).</summary>
public enum FusisEventType
{
    ServiceCreated,
    ServiceChanged,
    ServiceRemoved,
    DestinationAdded,
    DestinationChanged,
    DestinationUp,
    DestinationDown,
    DestinationDraining,
    DestinationRemoved,
    MemberJoined,
    MemberLeft,
    MemberFailed,
    DriftRepaired,
    LeaderChanged,

    /// <summary>An anycast balancer announces a VIP over BGP (again).</summary>
    VipAnnounced,

    /// <summary>An anycast balancer withdraws a VIP: no healthy destination here, a drain, or etcd lost.</summary>
    VipWithdrawn,
}
