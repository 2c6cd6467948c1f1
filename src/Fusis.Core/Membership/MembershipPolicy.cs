namespace Fusis.Core.Membership;

/// <summary>How membership changes become destination changes.</summary>
public sealed record MembershipPolicy
{
    /// <summary>A draining destination is deleted when its active connections reach 0, or after this at the latest.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a draining destination stays at weight 0 before it may be deleted even when idle: a connection the
    /// kernel scheduled just before is still in SYN_RECV, which IPVS counts as inactive, and deleting the
    /// destination then would break it.
    /// </summary>
    public TimeSpan MinimumDrain { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>What a failed member's destinations get: removed at once (default), or drained like a leaving member's.</summary>
    public FailedMemberAction OnFailed { get; init; } = FailedMemberAction.Remove;
}
