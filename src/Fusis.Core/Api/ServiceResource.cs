namespace Fusis.Core.Api;

/// <summary>A service as the API returns it: the original Fusis shape, plus what Fusis adds.</summary>
public sealed record ServiceResource(
    string Name,
    string? Address,
    int Port,
    string Protocol,
    uint FirewallMark,
    string AddressFamily,
    string Scheduler,
    string Mode,
    uint Persistent,
    string? Netmask,
    string? PersistenceEngine,
    bool OnePacket,
    IReadOnlyList<string> SchedulerFlags,
    string Snat,
    IReadOnlyList<DestinationResource> Destinations,
    CheckResource? Check,
    ServiceStatsResource? Stats)
{
    /// <summary>The original Fusis's name for <see cref="Address"/>, which its 2016 client reads back.</summary>
    public string? Host => Address;
}
