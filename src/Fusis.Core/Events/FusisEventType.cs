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
}
