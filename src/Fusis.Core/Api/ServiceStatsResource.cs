namespace Fusis.Core.Api;

/// <summary>A service's kernel counters and rates, named as the original Fusis named them.</summary>
public sealed record ServiceStatsResource(
    ulong Connections, ulong PacketsIn, ulong PacketsOut, ulong BytesIn, ulong BytesOut, ulong CPS, ulong PPSIn, ulong PPSOut, ulong BPSIn, ulong BPSOut);
