namespace Fusis.Serf;

/// <summary>A member's state as the agent reports it. Only <see cref="Alive"/> members should serve traffic.</summary>
public enum SerfMemberStatus
{
    Unknown,
    None,
    Alive,
    Leaving,
    Left,
    Failed,
}
