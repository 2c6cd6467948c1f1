namespace Fusis.Core.Membership;

/// <summary>A member as the last membership plan saw it, its announcements parsed once.</summary>
internal sealed class PlannedMember(ClusterMember member)
{
    public ClusterMember Member { get; } = member;

    public string Name => Member.Name;

    public IReadOnlyList<ServiceAnnouncement> Announcements { get; } = member.Announcements;

    /// <summary>Alive and not draining: its announcements become destinations.</summary>
    public bool Serving { get; } = member.State == MemberState.Alive && !member.Draining;

    /// <summary>Whether <paramref name="other"/> would be planned the same: the same address, state and planning tags.</summary>
    public bool Same(ClusterMember other) =>
        other.Address.Equals(Member.Address) && other.State == Member.State
        && AgentTags.Planning.All(tag => other.Tags.GetValueOrDefault(tag) == Member.Tags.GetValueOrDefault(tag));
}
