namespace Fusis.Serf;

/// <summary>A query received on a stream; answer it with <c>SerfSubscription.RespondAsync</c> on the same subscription.</summary>
public sealed record SerfQueryEvent(ulong Id, string Name, ReadOnlyMemory<byte> Payload, ulong LamportTime) : SerfEvent
{
    public bool Equals(SerfQueryEvent? other) =>
        other is not null && Id == other.Id && Name == other.Name && Payload.Span.SequenceEqual(other.Payload.Span) && LamportTime == other.LamportTime;

    public override int GetHashCode() => HashCode.Combine(Id, Name, LamportTime);
}
