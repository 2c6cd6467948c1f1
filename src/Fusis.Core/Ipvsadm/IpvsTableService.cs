using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Ipvsadm;

/// <summary>One service of an <see cref="IpvsTable"/> and its destinations.</summary>
public sealed record IpvsTableService(IpvsService Service, IReadOnlyList<IpvsDestination> Destinations)
{
    public bool Equals(IpvsTableService? other) =>
        other is not null && Service == other.Service && Destinations.SequenceEqual(other.Destinations);

    public override int GetHashCode() => HashCode.Combine(Service, Destinations.Count);
}
