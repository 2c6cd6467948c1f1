namespace Fusis.Serf;

/// <summary>An ack or a response to a query this client issued.</summary>
public sealed record SerfQueryResponse(SerfQueryResponseType Type, string From, ReadOnlyMemory<byte> Payload)
{
    public bool Equals(SerfQueryResponse? other) =>
        other is not null && Type == other.Type && From == other.From && Payload.Span.SequenceEqual(other.Payload.Span);

    public override int GetHashCode() => HashCode.Combine(Type, From);
}
