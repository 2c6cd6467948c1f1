namespace Fusis.Core.Api;

/// <summary>A destination's connection counts (as the original Fusis) and its traffic counters.</summary>
public sealed record DestinationStatsResource(
    uint ActiveConns, uint InactiveConns, uint PersistConns, ulong Connections, ulong PacketsIn, ulong PacketsOut, ulong BytesIn, ulong BytesOut);
