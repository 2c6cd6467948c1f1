namespace Fusis.Core.Membership;

/// <summary>How membership changes become destination changes.</summary>
public sealed record MembershipPolicy
{
    /// <summary>A draining destination is deleted when its active connections reach 0, or after this at the latest.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What a failed member's destinations get: removed at once (default), or drained like a leaving member's.</summary>
    public FailedMemberAction OnFailed { get; init; } = FailedMemberAction.Remove;
}
