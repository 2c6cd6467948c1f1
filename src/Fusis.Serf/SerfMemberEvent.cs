namespace Fusis.Serf;

/// <summary>Coalesced member event: one type, possibly several members. Events can be lost or repeated: handle idempotently.</summary>
public sealed record SerfMemberEvent(SerfMemberEventType Type, IReadOnlyList<SerfMember> Members) : SerfEvent
{
    public bool Equals(SerfMemberEvent? other) => other is not null && Type == other.Type && Members.SequenceEqual(other.Members);

    public override int GetHashCode() => HashCode.Combine(Type, Members.Count);
}
