namespace Fusis.Core.State;

/// <summary>Whether a destination takes new connections, as the status page and /metrics show it (<see cref="Vocabulary.Words.DestinationStates"/>).</summary>
public enum DestinationState
{
    Up,

    /// <summary>Its health check holds it out (removed, or at weight 0).</summary>
    Down,

    /// <summary>At weight 0: its member is leaving or failed, or an operator drained it.</summary>
    Draining,
}
