using Fusis.Core.Events;
using Fusis.Core.Model;
using Fusis.Core.Operations;

namespace Fusis.Core.Backends;

/// <summary>
/// Where a front end's changes go, chosen once per pipeline: this host's engine (in this process when no balancer
/// daemon runs, or the daemon's over its local socket) or a balancer's API. Every front end has one code path over
/// it: operations in, the engine's plan and the resulting objects out, refusals as <see cref="FusisException"/>.
/// </summary>
public interface IFusisBackend : IAsyncDisposable
{
    /// <summary>Where changes go, for messages: "this host (no balancer daemon runs)", "the balancer at ...".</summary>
    string Description { get; }

    /// <summary>Runs one operation on the engine; on a dry run nothing changes and the plan is all there is.</summary>
    /// <exception cref="FusisException">Refused (bad input, not found, a conflict, the kernel), or unreachable.</exception>
    Task<ChangeOutcome> ChangeAsync(FusisOperation operation, bool dryRun, CancellationToken cancellation);

    /// <summary>The services: on this host every kernel service, owned or not; from a remote balancer the ones it owns.</summary>
    /// <exception cref="FusisException">The kernel or the balancer cannot be used.</exception>
    Task<IReadOnlyList<FusisService>> GetServicesAsync(CancellationToken cancellation);

    /// <summary>The destinations of a service from <see cref="GetServicesAsync"/>.</summary>
    /// <exception cref="FusisException">The kernel or the balancer cannot be used.</exception>
    Task<IReadOnlyList<FusisDestination>> GetDestinationsAsync(FusisService service, CancellationToken cancellation);

    /// <summary>The kernel's IPVS version, connection table size and number of services.</summary>
    /// <exception cref="FusisException">The kernel or the balancer cannot be used.</exception>
    Task<FusisInfo> GetInfoAsync(CancellationToken cancellation);

    /// <summary>The balancer's place in its cluster (a balancer alone, or this host without a daemon, is its own leader).</summary>
    /// <exception cref="FusisException">The balancer cannot be reached.</exception>
    Task<FusisCluster> GetClusterAsync(CancellationToken cancellation);

    /// <summary>
    /// Drains an anycast balancer (it withdraws every VIP over BGP and goes on forwarding what still reaches it), or ends
    /// its drain; its place in the cluster afterwards.
    /// </summary>
    /// <exception cref="FusisException">No running anycast balancer to drain (InvalidArgument), or it cannot be reached.</exception>
    Task<FusisCluster> SetDrainingAsync(bool draining, CancellationToken cancellation);

    /// <summary>The balancer's events: its history after <see cref="EventQuery.After"/>, then, following, the live ones until cancelled.</summary>
    /// <exception cref="FusisException">No balancer to read them from, or it cannot be reached.</exception>
    IAsyncEnumerable<FusisEvent> ReadEventsAsync(EventQuery query, CancellationToken cancellation);
}
