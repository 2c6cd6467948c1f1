using System.Net;

namespace Fusis.Serf;

/// <summary>A cluster member. <see cref="Port"/> is its gossip port; service ports come from <see cref="Tags"/>.</summary>
public sealed record SerfMember(
    string Name,
    IPAddress Address,
    int Port,
    IReadOnlyDictionary<string, string> Tags,
    SerfMemberStatus Status,
    int ProtocolMin,
    int ProtocolMax,
    int ProtocolCurrent,
    int DelegateMin,
    int DelegateMax,
    int DelegateCurrent)
{
    public bool Equals(SerfMember? other) =>
        other is not null && Name == other.Name && Address.Equals(other.Address) && Port == other.Port && Status == other.Status
        && ProtocolMin == other.ProtocolMin && ProtocolMax == other.ProtocolMax && ProtocolCurrent == other.ProtocolCurrent
        && DelegateMin == other.DelegateMin && DelegateMax == other.DelegateMax && DelegateCurrent == other.DelegateCurrent
        && Tags.Count == other.Tags.Count && Tags.All(t => other.Tags.TryGetValue(t.Key, out string? v) && v == t.Value);

    public override int GetHashCode() => HashCode.Combine(Name, Address, Port, Status);
}
