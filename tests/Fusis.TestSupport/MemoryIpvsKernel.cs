using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.TestSupport;

/// <summary>
/// An in-memory IPVS table that answers as kernel 6.1 does: the same errnos for the same mistakes, the same
/// validation before anything is applied, the same defaults. For unit tests of what sits on top of the kernel;
/// never proof that a feature works (the lab is). IpvsKernelContract keeps it honest.
/// </summary>
public sealed class MemoryIpvsKernel : IIpvsKernel
{
    /// <summary>The schedulers Debian's 6.1 kernel ships as modules.</summary>
    public static readonly IReadOnlySet<string> Schedulers =
        new HashSet<string>(["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"], StringComparer.Ordinal);

    private static readonly IpvsStatistics Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private readonly List<Entry> _services = [];

    // The kernel's defaults in a new namespace.
    private IpvsTimeouts _timeouts = new(900, 120, 300);

    /// <summary>Operations applied successfully so far (a test can assert "no writes").</summary>
    public int Writes { get; private set; }

    public IpvsInfo GetInfo() => new(new Version(1, 2, 1), 4096);

    public IReadOnlyList<IpvsService> GetServices() => _services.Select(e => e.Service with { Statistics = Zero }).ToList();

    public IpvsService? GetService(IpvsServiceKey key) => Find(key) is { } entry ? entry.Service with { Statistics = Zero } : null;

    public IReadOnlyList<IpvsDestination> GetDestinations(IpvsServiceKey key) =>
        Find(key)?.Destinations.Select(d => d with { Statistics = Zero }).ToList() ?? [];

    public IReadOnlyList<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (IpvsOperation operation in operations)
        {
            // As the real client: every operation is validated before the first is applied.
            if (operation.Service is { } service)
            {
                IpvsCodec.ValidateService(service);
            }

            if (operation.Destination is { } destination && operation.Kind != IpvsOperationKind.DeleteDestination)
            {
                IpvsCodec.ValidateDestination(destination);
            }
        }

        var results = new List<IpvsOperationResult>(operations.Count);
        foreach (IpvsOperation operation in operations)
        {
            Errno errno = ApplyOne(operation);
            if (errno == Errno.None)
            {
                Writes++;
            }

            results.Add(new IpvsOperationResult(operation, errno == Errno.None ? null : Failure(operation, errno)));
        }

        return results;
    }

    public IpvsTimeouts GetTimeouts() => _timeouts;

    public void SetTimeouts(IpvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        _timeouts = new IpvsTimeouts(
            timeouts.TcpSeconds == 0 ? _timeouts.TcpSeconds : timeouts.TcpSeconds,
            timeouts.TcpFinSeconds == 0 ? _timeouts.TcpFinSeconds : timeouts.TcpFinSeconds,
            timeouts.UdpSeconds == 0 ? _timeouts.UdpSeconds : timeouts.UdpSeconds);
    }

    public void ZeroStatistics(IpvsServiceKey? key = null)
    {
        if (key is not null && Find(key) is null)
        {
            throw new NetlinkException(Errno.ESRCH, $"zero counters of service {key} failed: service {key} does not exist", null);
        }
    }

    public void Dispose()
    {
    }

    private Errno ApplyOne(IpvsOperation operation)
    {
        Entry? entry = Find(operation.ServiceKey);
        IpvsDestination? destination = operation.Destination;
        switch (operation.Kind)
        {
            case IpvsOperationKind.AddService when entry is not null:
                return Errno.EEXIST;
            case IpvsOperationKind.AddService or IpvsOperationKind.UpdateService when !Available(operation.Service!):
                return Errno.ENOENT;
            case IpvsOperationKind.AddService:
                _services.Add(new Entry(Stored(operation.Service!)));
                return Errno.None;
            case IpvsOperationKind.UpdateService or IpvsOperationKind.DeleteService when entry is null:
                return Errno.ESRCH;
            case IpvsOperationKind.UpdateService:
                entry!.Service = Stored(operation.Service!);
                return Errno.None;
            case IpvsOperationKind.DeleteService:
                _services.Remove(entry!);
                return Errno.None;
            case IpvsOperationKind.AddDestination or IpvsOperationKind.UpdateDestination or IpvsOperationKind.DeleteDestination when entry is null:
                return Errno.ESRCH;
        }

        int index = entry!.Destinations.FindIndex(d => d.Address.Equals(destination!.Address) && d.Port == destination.Port);
        switch (operation.Kind)
        {
            case IpvsOperationKind.AddDestination when index >= 0:
                return Errno.EEXIST;
            case IpvsOperationKind.UpdateDestination or IpvsOperationKind.DeleteDestination when index < 0:
                return Errno.ENOENT;
            case IpvsOperationKind.DeleteDestination:
                entry.Destinations.RemoveAt(index);
                return Errno.None;
        }

        if (destination!.Address.AddressFamily != operation.ServiceKey.AddressFamily && destination.ForwardingMethod != IpvsForwardingMethod.Tunnel)
        {
            return Errno.EINVAL;
        }

        if (destination.LowerThreshold > destination.UpperThreshold)
        {
            return Errno.ERANGE;
        }

        IpvsDestination stored = destination.WithoutCounters();
        if (index >= 0)
        {
            entry.Destinations[index] = stored;
        }
        else
        {
            // As the kernel's list_add: the newest destination is listed first (hashing schedulers depend on it).
            entry.Destinations.Insert(0, stored);
        }

        return Errno.None;
    }

    private static bool Available(IpvsService service) =>
        Schedulers.Contains(service.Scheduler) && service.PersistenceEngine is null or "sip";

    private static IpvsService Stored(IpvsService service) => service with { Statistics = null, Netmask = service.EffectiveNetmask };

    // The same exception, errno and text the real client produces for the operation.
    private static NetlinkException Failure(IpvsOperation operation, Errno errno) =>
        IpvsErrors.For(operation, new NetlinkAck(errno, null));

    private Entry? Find(IpvsServiceKey key) => _services.Find(e => e.Service.Key == key);

    private sealed class Entry(IpvsService service)
    {
        public IpvsService Service { get; set; } = service;

        public List<IpvsDestination> Destinations { get; } = [];
    }
}
