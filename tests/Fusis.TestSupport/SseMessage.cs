namespace Fusis.TestSupport;

/// <summary>One Server-Sent Event as a client reads it.</summary>
public sealed record SseMessage(string? Id, string Event, string Data);
