using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Engine;

/// <summary>
/// The outcome of one change: the kernel operations planned (all of them on a dry run), each applied one's
/// result, and the desired state now in force. When the kernel refused an operation the change was undone,
/// and <see cref="Refused"/> says which.
/// </summary>
public sealed record EngineChange(IReadOnlyList<IpvsOperation> Plan, IReadOnlyList<IpvsOperationResult> Results, bool DryRun, DesiredState State)
{
    public IpvsOperationResult? Refused => Results.FirstOrDefault(Reconcile.OperationOutcome.Refused);
}
