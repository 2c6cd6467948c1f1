using Fusis.Core.State;

namespace Fusis.Core.Cluster;

/// <summary>
/// The rule of an anycast cluster: the router may send a flow's packets to any balancer (another one after a route
/// changes), so every balancer must pick the same backend for it without sharing connection state. Only Maglev
/// hashing (<c>mh</c>) does, given destinations in one order on every balancer (the planner adds those of hashing
/// schedulers in one canonical order) and the same weights.
/// </summary>
public static class AnycastScheduling
{
    public const string Scheduler = "mh";

    /// <summary>Why <paramref name="service"/> cannot be scheduled in an anycast cluster; null: it can.</summary>
    public static string? Problem(DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Service.Scheduler == Scheduler
            ? null
            : $"service '{service.Name}' uses the scheduler '{service.Service.Scheduler}'; an anycast cluster needs '{Scheduler}' (Maglev hashing), the only one " +
              "that sends a flow to the same backend on every balancer (add the port flag to spread one client's connections)";
    }
}
