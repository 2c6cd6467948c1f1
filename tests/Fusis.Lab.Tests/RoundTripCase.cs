using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>One service with its destinations, and exactly how `ipvsadm -S -n` (1.31) saves it.</summary>
internal sealed record RoundTripCase(string Name, IpvsService Service, IpvsDestination[] Destinations, string[] SaveLines)
{
    public override string ToString() => Name;
}
