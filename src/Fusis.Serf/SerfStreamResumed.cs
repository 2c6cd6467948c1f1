namespace Fusis.Serf;

/// <summary>
/// The connection was lost and re-established, and the stream re-subscribed. Events in between are lost:
/// re-read the members.
/// </summary>
public sealed record SerfStreamResumed(int Attempt) : SerfEvent;
