namespace Fusis.Serf;

/// <summary>A user event; <see cref="LamportTime"/> is the cluster's event clock. An empty payload arrives empty.</summary>
public sealed record SerfUserEvent(string Name, ReadOnlyMemory<byte> Payload, ulong LamportTime, bool Coalesce) : SerfEvent
{
    public bool Equals(SerfUserEvent? other) =>
        other is not null && Name == other.Name && Payload.Span.SequenceEqual(other.Payload.Span) && LamportTime == other.LamportTime && Coalesce == other.Coalesce;

    public override int GetHashCode() => HashCode.Combine(Name, LamportTime);
}
