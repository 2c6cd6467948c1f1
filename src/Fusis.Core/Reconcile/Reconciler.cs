using Fusis.Core.Ipvsadm;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>Reads the kernel, plans, and applies the plan through the pipelined kernel.</summary>
public static class Reconciler
{
    /// <summary>Operations sent per kernel round trip when progress is reported.</summary>
    public const int ProgressBatchSize = 1000;

    /// <summary>The plan only (what -WhatIf shows): reads the kernel, writes nothing.</summary>
    public static IReadOnlyList<IpvsOperation> Preview(DesiredState desired, IIpvsKernel kernel) => Plan(desired, kernel).Operations;

    /// <summary>Reads the owned part of the kernel table and plans against it; writes nothing.</summary>
    public static ReconcilePlan Plan(DesiredState desired, IIpvsKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(kernel);
        IpvsTable actual = ReadOwned(desired, kernel);
        return new ReconcilePlan(desired, actual, Planner.Plan(desired, actual));
    }

    /// <summary>
    /// Converges the kernel to <paramref name="desired"/>. Each operation's outcome is reported; a failed one does
    /// not stop the others, and the next reconcile retries what is still different.
    /// </summary>
    public static ReconcileResult Reconcile(DesiredState desired, IIpvsKernel kernel) => Apply(Plan(desired, kernel), kernel);

    /// <summary>
    /// Applies a plan. With <paramref name="progress"/>, operations go in batches of <see cref="ProgressBatchSize"/>
    /// and it is told how many are done after each; without, the whole plan is one pipelined write.
    /// </summary>
    public static ReconcileResult Apply(ReconcilePlan plan, IIpvsKernel kernel, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(kernel);
        var results = new List<IpvsOperationResult>(plan.Operations.Count);
        int batchSize = progress is null ? Math.Max(1, plan.Operations.Count) : ProgressBatchSize;
        foreach (IpvsOperation[] batch in plan.Operations.Chunk(batchSize))
        {
            results.AddRange(kernel.Apply(batch));
            progress?.Invoke(results.Count);
        }

        var present = plan.Actual.Services.Select(s => s.Service.Key).ToHashSet();
        var deleted = results.Where(r => r.Succeeded && r.Operation.Kind == IpvsOperationKind.DeleteService).Select(r => r.Operation.ServiceKey).ToHashSet();
        IReadOnlyList<IpvsServiceKey> gone = plan.Desired.Retired.Where(k => !present.Contains(k) || deleted.Contains(k)).ToList();
        return new ReconcileResult(results, gone);
    }

    // Destinations are read only for owned services: unmanaged ones are never compared, so never dumped.
    private static IpvsTable ReadOwned(DesiredState desired, IIpvsKernel kernel)
    {
        var owned = desired.Services.Select(s => s.Key).ToHashSet();
        return KernelTable.Read(kernel, owned.Contains);
    }
}
