namespace Fusis.Core.State;

/// <summary>
/// What Fusis knows about a destination beyond its kernel settings: the name the API addresses it by, and, for a
/// destination that a cluster member announced, that member's Serf name (so membership changes find it again).
/// </summary>
public sealed record DestinationLabel(string? Name, string? Member = null);
