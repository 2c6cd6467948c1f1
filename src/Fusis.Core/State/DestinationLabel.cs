namespace Fusis.Core.State;

/// <summary>
/// What Fusis knows about a destination beyond its kernel settings: the name the API addresses it by; for one a
/// cluster member announced, that member's Serf name; whether it is draining (weight 0 in the kernel until its
/// connections end or <see cref="DrainUntil"/> passes, then deleted); whether an operator drained it; and whether
/// its health check holds it down.
/// </summary>
public sealed record DestinationLabel(string? Name, string? Member = null)
{
    /// <summary>Draining: deleted once it has no active connections, or at this time at the latest.</summary>
    public DateTimeOffset? DrainUntil { get; init; }

    /// <summary>Its service's health check failed <c>Fall</c> times in a row (and has not passed <c>Rise</c> times since).</summary>
    public bool Down { get; init; }

    /// <summary>An operator drained it: weight 0 in the kernel (no new connections; established ones go on), kept until undrained.</summary>
    public bool Drained { get; init; }

    public bool Draining => DrainUntil is not null;

    /// <summary>The state of a destination with this label (none: up).</summary>
    public static DestinationState StateOf(DestinationLabel? label) => label switch
    {
        { Down: true } => DestinationState.Down,
        { Draining: true } or { Drained: true } => DestinationState.Draining,
        _ => DestinationState.Up,
    };
}
