using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// POST /snat/rewrite: Fusis's SNAT tables (nftables ip fusis, ip6 fusis) rewritten whole from the desired state, so
/// they hold exactly its rules; when no service needs SNAT, they are deleted (the cleanup of tables left behind).
/// </summary>
public sealed record RewriteSnatOperation()
    : FusisOperation("POST", "snat/rewrite", OperationResult.None, "Fusis's SNAT tables (nftables ip fusis, ip6 fusis)")
{
    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context) => new(state) { RewriteNat = true };
}
