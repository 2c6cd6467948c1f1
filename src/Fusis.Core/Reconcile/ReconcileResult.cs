using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>What a reconcile planned, what became of each operation, and which retired services are now gone.</summary>
public sealed record ReconcileResult(IReadOnlyList<IpvsOperationResult> Results, IReadOnlyList<IpvsServiceKey> RetiredGone)
{
    public IEnumerable<IpvsOperation> Plan => Results.Select(r => r.Operation);

    public bool Succeeded => Results.All(r => r.Succeeded);
}
