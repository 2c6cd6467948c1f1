namespace Fusis.Core.Membership;

/// <summary>A cluster member's state (Serf's alive, leaving, left, failed).</summary>
public enum MemberState
{
    Alive,
    Leaving,
    Left,
    Failed,
}
