using System.Management.Automation.Runspaces;
using Fusis.Core.Backends;
using Fusis.Core.Events;
using Fusis.Core.Model;
using Fusis.Core.Operations;

namespace Fusis.Commands;

/// <summary>
/// One local backend per runspace while any of its commands uses one, so the Fusis cmdlets of one pipeline share it:
/// `Get-FusisService | Remove-FusisService` opens the engine (and takes the store's lock) once, not twice.
/// </summary>
internal sealed class SharedLocalBackend : IFusisBackend
{
    private static readonly Dictionary<Runspace, (IFusisBackend Backend, int Users)> Open = [];
    private static readonly Lock Gate = new();

    private readonly Runspace _runspace;
    private readonly IFusisBackend _backend;
    private bool _released;

    private SharedLocalBackend(Runspace runspace, IFusisBackend backend)
    {
        _runspace = runspace;
        _backend = backend;
    }

    public string Description => _backend.Description;

    /// <summary>The runspace's local backend, opened by <paramref name="open"/> when none is in use.</summary>
    public static SharedLocalBackend Acquire(Runspace runspace, Func<IFusisBackend> open)
    {
        lock (Gate)
        {
            if (Open.TryGetValue(runspace, out var shared))
            {
                Open[runspace] = (shared.Backend, shared.Users + 1);
                return new SharedLocalBackend(runspace, shared.Backend);
            }

            IFusisBackend backend = open();
            Open[runspace] = (backend, 1);
            return new SharedLocalBackend(runspace, backend);
        }
    }

    public Task<ChangeOutcome> ChangeAsync(FusisOperation operation, bool dryRun, CancellationToken cancellation) => _backend.ChangeAsync(operation, dryRun, cancellation);

    public Task<IReadOnlyList<FusisService>> GetServicesAsync(CancellationToken cancellation) => _backend.GetServicesAsync(cancellation);

    public Task<IReadOnlyList<FusisDestination>> GetDestinationsAsync(FusisService service, CancellationToken cancellation) =>
        _backend.GetDestinationsAsync(service, cancellation);

    public Task<FusisInfo> GetInfoAsync(CancellationToken cancellation) => _backend.GetInfoAsync(cancellation);

    public Task<FusisCluster> GetClusterAsync(CancellationToken cancellation) => _backend.GetClusterAsync(cancellation);

    public Task<FusisCluster> SetDrainingAsync(bool draining, CancellationToken cancellation) => _backend.SetDrainingAsync(draining, cancellation);

    public IAsyncEnumerable<FusisEvent> ReadEventsAsync(EventQuery query, CancellationToken cancellation) => _backend.ReadEventsAsync(query, cancellation);

    /// <summary>The last user closes the backend (and so releases the store's lock).</summary>
    public async ValueTask DisposeAsync()
    {
        IFusisBackend? last = null;
        lock (Gate)
        {
            if (_released)
            {
                return;
            }

            _released = true;
            (IFusisBackend backend, int users) = Open[_runspace];
            if (users == 1)
            {
                Open.Remove(_runspace);
                last = backend;
            }
            else
            {
                Open[_runspace] = (backend, users - 1);
            }
        }

        if (last is not null)
        {
            await last.DisposeAsync().ConfigureAwait(false);
        }
    }
}
