namespace Fusis.Core.Model;

/// <summary>What Get-FusisInfo shows: the kernel's IPVS version, its connection table size, and how many services it holds.</summary>
public sealed record FusisInfo(string IpvsVersion, uint ConnectionTableSize, int Services);
