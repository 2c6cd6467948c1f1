using System.Net;

namespace Fusis.Core.Membership;

/// <summary>A cluster member as membership planning needs it: its name, address, state and tags.</summary>
public sealed record ClusterMember(string Name, IPAddress Address, MemberState State, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The services it announces (<see cref="AgentTags.Services"/>); entries that do not parse are left out.</summary>
    public IReadOnlyList<ServiceAnnouncement> Announcements =>
        Tags.TryGetValue(AgentTags.Services, out string? value) ? AgentTags.Parse(value, out _) : [];

    /// <summary>Its addresses besides <see cref="Address"/> (<see cref="AgentTags.Addresses"/>): a dual-stack backend's other family.</summary>
    public IReadOnlyList<IPAddress> OtherAddresses =>
        Tags.TryGetValue(AgentTags.Addresses, out string? value) ? AgentTags.ParseAddresses(value) : [];

    /// <summary>Where it serves a service of <paramref name="family"/>: its address of that family, or null.</summary>
    public IPAddress? AddressFor(System.Net.Sockets.AddressFamily family) =>
        Address.AddressFamily == family ? Address : OtherAddresses.FirstOrDefault(a => a.AddressFamily == family);

    /// <summary>The agent asked to be drained (<see cref="AgentTags.Draining"/>) before it leaves.</summary>
    public bool Draining => Tags.TryGetValue(AgentTags.Draining, out string? value) && value == "1";
}
