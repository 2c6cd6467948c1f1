namespace Fusis.Daemon.Status;

/// <summary>
/// A destination on the status page: up, down or draining and why (the event that made it so, or the health check's
/// last probe), its weight as configured and as the kernel holds it (null: not in the kernel), its connections and rates.
/// </summary>
internal sealed record DestinationStatus(
    string Id,
    string? Name,
    string? Member,
    string State,
    string Reason,
    DateTimeOffset? Since,
    bool Drained,
    int Weight,
    int? WeightInForce,
    uint ActiveConns,
    uint InactiveConns,
    ulong Connections,
    ulong Cps,
    ulong InBps,
    ulong OutBps,
    string? LastCheck,
    DateTimeOffset? LastCheckTime);
