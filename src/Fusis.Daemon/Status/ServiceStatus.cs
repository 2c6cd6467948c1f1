namespace Fusis.Daemon.Status;

/// <summary>A service on the status page: its VIP and settings, its kernel counters and rates, how many destinations are up.</summary>
internal sealed record ServiceStatus(
    string Name,
    string Vip,
    string Protocol,
    string Scheduler,
    string Forwarding,
    string Snat,
    string? Check,
    ulong Connections,
    ulong Cps,
    ulong InPps,
    ulong OutPps,
    ulong InBps,
    ulong OutBps,
    uint ActiveConns,
    uint InactiveConns,
    int Healthy,
    int Total,
    IReadOnlyList<DestinationStatus> Destinations);
