using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>What a reconcile planned, what became of each operation, which retired services are now gone, and what it did to the SNAT tables.</summary>
public sealed record ReconcileResult(IReadOnlyList<IpvsOperationResult> Results, IReadOnlyList<IpvsServiceKey> RetiredGone)
{
    public IEnumerable<IpvsOperation> Plan => Results.Select(r => r.Operation);

    /// <summary>Whether Fusis's SNAT tables were rewritten (they were missing, had drifted, or the rules changed).</summary>
    public bool NatRewritten { get; init; }

    /// <summary>Why the SNAT tables could not be converged; null when they were.</summary>
    public string? NatProblem { get; init; }

    public bool Succeeded => Results.All(r => r.Succeeded) && NatProblem is null;
}
