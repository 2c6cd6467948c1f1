using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>A service Fusis owns: its user-facing name, its kernel settings and its destinations.</summary>
public sealed record DesiredService(string Name, IpvsService Service, IReadOnlyList<IpvsDestination> Destinations)
{
    public IpvsServiceKey Key => Service.Key;

    public bool Equals(DesiredService? other) =>
        other is not null && Name == other.Name && Service == other.Service && Destinations.SequenceEqual(other.Destinations);

    public override int GetHashCode() => HashCode.Combine(Name, Service.Key);
}
