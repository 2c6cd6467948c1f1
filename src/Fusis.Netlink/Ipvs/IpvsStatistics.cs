namespace Fusis.Netlink.Ipvs;

/// <summary>Counters and rate estimates of a service or destination (the kernel's 64-bit stats when it has them).</summary>
public sealed record IpvsStatistics(
    ulong Connections,
    ulong IncomingPackets,
    ulong OutgoingPackets,
    ulong IncomingBytes,
    ulong OutgoingBytes,
    ulong ConnectionsPerSecond,
    ulong IncomingPacketsPerSecond,
    ulong OutgoingPacketsPerSecond,
    ulong IncomingBytesPerSecond,
    ulong OutgoingBytesPerSecond);
