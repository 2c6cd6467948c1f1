using Fusis.Core.Ipvsadm;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>Reads the kernel, plans, and applies the plan through the pipelined kernel.</summary>
public static class Reconciler
{
    /// <summary>The plan only (what -WhatIf shows): reads the kernel, writes nothing.</summary>
    public static IReadOnlyList<IpvsOperation> Preview(DesiredState desired, IIpvsKernel kernel) =>
        Planner.Plan(desired, ReadOwned(desired, kernel));

    /// <summary>
    /// Converges the kernel to <paramref name="desired"/>. Each operation's outcome is reported; a failed one does
    /// not stop the others, and the next reconcile retries what is still different.
    /// </summary>
    public static ReconcileResult Reconcile(DesiredState desired, IIpvsKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(kernel);
        IpvsTable actual = ReadOwned(desired, kernel);
        IReadOnlyList<IpvsOperation> plan = Planner.Plan(desired, actual);
        IReadOnlyList<IpvsOperationResult> results = plan.Count == 0 ? [] : kernel.Apply(plan);

        var present = actual.Services.Select(s => s.Service.Key).ToHashSet();
        var deleted = results.Where(r => r.Succeeded && r.Operation.Kind == IpvsOperationKind.DeleteService).Select(r => r.Operation.ServiceKey).ToHashSet();
        IReadOnlyList<IpvsServiceKey> gone = desired.Retired.Where(k => !present.Contains(k) || deleted.Contains(k)).ToList();
        return new ReconcileResult(results, gone);
    }

    // Destinations are read only for owned services: unmanaged ones are never compared, so never dumped.
    private static IpvsTable ReadOwned(DesiredState desired, IIpvsKernel kernel)
    {
        var owned = desired.Services.Select(s => s.Key).ToHashSet();
        return KernelTable.Read(kernel, owned.Contains);
    }
}
