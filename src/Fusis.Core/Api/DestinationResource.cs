namespace Fusis.Core.Api;

/// <summary>A destination as the API returns it. Name is its given name, or "address:port" when it has none.</summary>
public sealed record DestinationResource(
    string Name,
    string Address,
    int Port,
    int Weight,
    string Mode,
    string ServiceId,
    uint UpperThreshold,
    uint LowerThreshold,
    string? TunnelType,
    int TunnelPort,
    string? TunnelChecksum,
    string? Member,
    bool Draining,
    bool Down,
    DestinationStatsResource? Stats);
