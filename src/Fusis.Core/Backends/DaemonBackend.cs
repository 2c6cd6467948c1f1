using System.Net;
using Fusis.Core.Api;
using Fusis.Core.Events;
using Fusis.Core.Model;
using Fusis.Core.Operations;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Backends;

/// <summary>
/// Local mode while this host's balancer daemon runs: every change goes to the daemon's engine over its local socket
/// (the daemon stays the only writer); reads show this host's kernel, joined with the names and states the daemon
/// owns, so the objects are the ones local mode shows without a daemon.
/// </summary>
internal sealed class DaemonBackend(ApiBackend daemon, Func<IIpvsKernel> openKernel) : IFusisBackend
{
    private IIpvsKernel? _kernel;

    public string Description => daemon.Description;

    public Task<ChangeOutcome> ChangeAsync(FusisOperation operation, bool dryRun, CancellationToken cancellation) =>
        daemon.ChangeAsync(operation, dryRun, cancellation);

    public IAsyncEnumerable<FusisEvent> ReadEventsAsync(EventQuery query, CancellationToken cancellation) => daemon.ReadEventsAsync(query, cancellation);

    public async Task<IReadOnlyList<FusisService>> GetServicesAsync(CancellationToken cancellation)
    {
        IReadOnlyList<ServiceResource> owned = await daemon.ReadServicesAsync(cancellation).ConfigureAwait(false);
        return Kernel(kernel => ServiceCatalog.Read(kernel, owned.ToDictionary(ApiModel.Key, s => new ServiceCatalog.Owned(s.Name, s.Snat))));
    }

    public async Task<IReadOnlyList<FusisDestination>> GetDestinationsAsync(FusisService service, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(service);
        Dictionary<IPEndPoint, DestinationResource> labels = [];
        try
        {
            if (service.Name is not null)
            {
                labels = (await daemon.ReadServiceAsync(service.Name, cancellation).ConfigureAwait(false))
                    .Destinations.ToDictionary(d => new IPEndPoint(IPAddress.Parse(d.Address), d.Port));
            }
        }
        catch (FusisException e) when (e.Code == FusisErrorCode.ServiceNotFound)
        {
            // No longer the daemon's: the kernel's destinations, with no states to join.
        }
        return Kernel(kernel => kernel.GetDestinations(service.Key)
            .Select(d => new FusisDestination(
                service.Name, service.Service, d,
                labels.TryGetValue(new IPEndPoint(d.Address, d.Port), out DestinationResource? label) ? FusisDestination.StateOf(label.Down, label.Draining || label.Drained) : FusisDestination.StateOf(null)))
            .ToList());
    }

    public Task<FusisInfo> GetInfoAsync(CancellationToken cancellation) => Task.FromResult(Kernel(KernelView.Info));

    public Task<FusisCluster> GetClusterAsync(CancellationToken cancellation) => daemon.GetClusterAsync(cancellation);

    public Task<FusisCluster> SetDrainingAsync(bool draining, CancellationToken cancellation) => daemon.SetDrainingAsync(draining, cancellation);

    public async ValueTask DisposeAsync()
    {
        _kernel?.Dispose();
        await daemon.DisposeAsync().ConfigureAwait(false);
    }

    private T Kernel<T>(Func<IIpvsKernel, T> read)
    {
        try
        {
            return read(_kernel ??= openKernel());
        }
        catch (NetlinkException e)
        {
            throw new FusisException(KernelRefusal.Code(e), e.Message, null, e);
        }
    }
}
