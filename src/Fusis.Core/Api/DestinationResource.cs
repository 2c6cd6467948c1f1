namespace Fusis.Core.Api;

/// <summary>
/// A destination as the API returns it. Name is its given name, or "address:port" when it has none; ServiceId is its
/// service's name (the original Fusis's field) and Service that service as ipvsadm names it ("TCP 198.18.0.1:80").
/// </summary>
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
    bool Drained,
    DestinationStatsResource? Stats,
    string Service)
{
    /// <summary>The original Fusis's name for <see cref="Address"/>, which its 2016 client reads back.</summary>
    public string Host => Address;
}
