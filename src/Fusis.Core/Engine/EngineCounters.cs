namespace Fusis.Core.Engine;

/// <summary>What the engine has done since it started, for /metrics. Written on the engine's loop only.</summary>
public sealed class EngineCounters
{
    private long _reconciles;
    private long _reconcileTicks;
    private long _lastReconcileTicks;
    private long _storeWrites;
    private long _kernelWrites;
    private long _kernelRefusals;
    private long _natWrites;
    private long _conflicts;
    private long _adopted;

    public long Reconciles => Interlocked.Read(ref _reconciles);

    public TimeSpan ReconcileTime => TimeSpan.FromTicks(Interlocked.Read(ref _reconcileTicks));

    public TimeSpan LastReconcileTime => TimeSpan.FromTicks(Interlocked.Read(ref _lastReconcileTicks));

    /// <summary>Desired-state saves (each one an atomic file replacement).</summary>
    public long StoreWrites => Interlocked.Read(ref _storeWrites);

    /// <summary>Kernel operations applied successfully.</summary>
    public long KernelWrites => Interlocked.Read(ref _kernelWrites);

    /// <summary>Kernel operations the kernel refused.</summary>
    public long KernelRefusals => Interlocked.Read(ref _kernelRefusals);

    /// <summary>Rewrites of Fusis's SNAT tables.</summary>
    public long NatWrites => Interlocked.Read(ref _natWrites);

    /// <summary>Changes made again because another balancer of the cluster changed the shared state first.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Shared-state changes of other balancers taken and applied here.</summary>
    public long Adopted => Interlocked.Read(ref _adopted);

    internal void Conflicted() => Interlocked.Increment(ref _conflicts);

    internal void Adopt() => Interlocked.Increment(ref _adopted);

    internal void NatWritten() => Interlocked.Increment(ref _natWrites);

    internal void Reconciled(TimeSpan took)
    {
        Interlocked.Increment(ref _reconciles);
        Interlocked.Add(ref _reconcileTicks, took.Ticks);
        Interlocked.Exchange(ref _lastReconcileTicks, took.Ticks);
    }

    internal void Saved() => Interlocked.Increment(ref _storeWrites);

    internal void Applied(IEnumerable<Netlink.Ipvs.IpvsOperationResult> results)
    {
        foreach (Netlink.Ipvs.IpvsOperationResult result in results)
        {
            Interlocked.Increment(ref result.Succeeded ? ref _kernelWrites : ref _kernelRefusals);
        }
    }
}
