using System.Net;

namespace Fusis.Core.Membership;

/// <summary>A cluster member as membership planning needs it: its name, address, state and tags.</summary>
public sealed record ClusterMember(string Name, IPAddress Address, MemberState State, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The services it announces (<see cref="AgentTags.Services"/>); entries that do not parse are left out.</summary>
    public IReadOnlyList<ServiceAnnouncement> Announcements =>
        Tags.TryGetValue(AgentTags.Services, out string? value) ? AgentTags.Parse(value, out _) : [];

    /// <summary>The agent asked to be drained (<see cref="AgentTags.Draining"/>) before it leaves.</summary>
    public bool Draining => Tags.TryGetValue(AgentTags.Draining, out string? value) && value == "1";
}
