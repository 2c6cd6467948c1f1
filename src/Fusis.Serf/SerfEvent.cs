namespace Fusis.Serf;

/// <summary>A record of an event stream: member events, user events, queries, or the stream resuming after a reconnect.</summary>
public abstract record SerfEvent;
