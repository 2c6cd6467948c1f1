using Fusis.Core.Api;
using Fusis.Core.Engine;
using Fusis.Core.Events;
using Fusis.Core.Model;
using Fusis.Core.Operations;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Backends;

/// <summary>
/// Operations run on an engine in this process: the balancer daemon's (behind its API) or one a front end starts for
/// its pipeline when no daemon runs. The rules are the operations' own; this only runs them and reads the result.
/// </summary>
public sealed class EngineBackend : IFusisBackend
{
    private readonly BalancerEngine _engine;
    private readonly OperationContext _context;
    private readonly IDisposable[] _owned;

    /// <param name="engine">The engine the operations run on.</param>
    /// <param name="context">What operations may need from the balancer (its VIP range).</param>
    /// <param name="description">Where changes go, for messages.</param>
    /// <param name="owned">When the backend owns the engine: what to close after it (its kernel, its NAT tables); none: the engine is the caller's.</param>
    public EngineBackend(BalancerEngine engine, OperationContext context, string description, params IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(owned);
        _engine = engine;
        _context = context;
        Description = description;
        _owned = owned;
    }

    public string Description { get; }

    public async Task<ChangeOutcome> ChangeAsync(FusisOperation operation, bool dryRun, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        OperationEdit? edit = null;
        EngineChange change = await Guard(_engine.ChangeAsync(
            (state, kernel) =>
            {
                edit = operation.Apply(state, kernel, _context);
                return (edit.Next, edit.Converge);
            },
            dryRun,
            $"{operation.Method} /{Uri.UnescapeDataString(operation.Path)}")).WaitAsync(cancellation).ConfigureAwait(false);
        if (change.Refused is { } refused)
        {
            throw KernelRefusal.Refused(refused);
        }

        if (edit?.RewriteNat == true && !dryRun)
        {
            await Guard(_engine.RewriteNatAsync()).WaitAsync(cancellation).ConfigureAwait(false);
        }

        // The plan in words only for a dry run (what -WhatIf and ?dryRun show): an import's is 22,000 strings.
        IReadOnlyList<string> plan = dryRun ? [.. change.Plan.Select(o => o.ToString())] : [];
        if (dryRun || operation.Result == OperationResult.None || edit?.Service is not { } name)
        {
            return new ChangeOutcome(dryRun, plan, edit?.Created ?? false, null, null);
        }

        OperationEdit done = edit;
        return await Guard(_engine.ReadAsync((state, kernel) =>
        {
            DesiredService owned = ServiceRules.Owned(state, name);
            return operation.Result == OperationResult.Destination && done.Destination is { } destination
                ? new ChangeOutcome(false, plan, done.Created, null, ResourceMapper.ToResource(owned, destination, null))
                : new ChangeOutcome(false, plan, done.Created, Read(state, owned, kernel), null);
        })).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<FusisService>> GetServicesAsync(CancellationToken cancellation) =>
        Guard(_engine.ReadAsync((state, kernel) => KernelView.Services(kernel, state))).WaitAsync(cancellation);

    public Task<IReadOnlyList<FusisDestination>> GetDestinationsAsync(FusisService service, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(service);
        return Guard(_engine.ReadAsync((state, kernel) => KernelView.Destinations(kernel, state, service))).WaitAsync(cancellation);
    }

    public Task<FusisInfo> GetInfoAsync(CancellationToken cancellation) =>
        Guard(_engine.ReadAsync((_, kernel) => KernelView.Info(kernel))).WaitAsync(cancellation);

    // An engine in this process belongs to no cluster (a clustered balancer's API answers GET /cluster itself).
    public Task<FusisCluster> GetClusterAsync(CancellationToken cancellation) => Task.FromResult(FusisCluster.Alone(Environment.MachineName));

    // Only a running anycast balancer announces VIPs, so only one can drain.
    public Task<FusisCluster> SetDrainingAsync(bool draining, CancellationToken cancellation) =>
        throw new FusisException(FusisErrorCode.InvalidArgument, "no balancer daemon runs here: only a running anycast balancer (fusis balancer --cluster-mode anycast) drains; name one with -Balancer");

    // The events a balancer keeps are its daemon's: an engine a pipeline started keeps only that pipeline's changes.
    public IAsyncEnumerable<FusisEvent> ReadEventsAsync(EventQuery query, CancellationToken cancellation) =>
        throw new FusisException(FusisErrorCode.BalancerUnreachable,
            $"{Description} keeps no events: they come from a running balancer (fusis balancer on this host, or one given with -Balancer)");

    /// <summary>The owned services as the API shows them (desired settings, kernel counters).</summary>
    public Task<List<ServiceResource>> ReadServicesAsync() =>
        Guard(_engine.ReadAsync((state, kernel) => state.Services.Select(s => Read(state, s, kernel)).ToList()));

    /// <summary>One owned service as the API shows it.</summary>
    /// <exception cref="FusisException">Fusis owns no service of that name.</exception>
    public Task<ServiceResource> ReadServiceAsync(string name) =>
        Guard(_engine.ReadAsync((state, kernel) => Read(state, ServiceRules.Owned(state, name), kernel)));

    public async ValueTask DisposeAsync()
    {
        if (_owned.Length > 0)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
            foreach (IDisposable owned in _owned)
            {
                owned.Dispose();
            }
        }
    }

    private static ServiceResource Read(DesiredState state, DesiredService service, IIpvsKernel kernel)
    {
        IpvsService? present = kernel.GetService(service.Key);
        return ResourceMapper.ToResource(service, state.SnatOf(service), present, present is null ? [] : kernel.GetDestinations(service.Key));
    }

    // Kernel and store failures as Fusis's refusals, classified by type.
    private static async Task<T> Guard<T>(Task<T> work)
    {
        try
        {
            return await work.ConfigureAwait(false);
        }
        catch (NetlinkException e)
        {
            throw new FusisException(KernelRefusal.Code(e), e.Message, null, e);
        }
        catch (DesiredStateUnavailableException e)
        {
            throw new FusisException(FusisErrorCode.DesiredStateUnavailable, e.Message, null, e);
        }
        catch (DesiredStateException e) when (e.Problems.Count > 0)
        {
            throw new FusisException(FusisErrorCode.InvalidArgument, e.Message, new Dictionary<string, string[]> { ["Service"] = [.. e.Problems] }, e);
        }
        catch (DesiredStateException e)
        {
            throw new FusisException(FusisErrorCode.DesiredStateInvalid, e.Message, null, e);
        }
    }
}
