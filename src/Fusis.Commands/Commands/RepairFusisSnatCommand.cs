using System.Management.Automation;
using Fusis.Core.Operations;

namespace Fusis.Commands.Commands;

/// <summary>
/// Repair-FusisSnat: rewrites Fusis's nftables tables (ip fusis, ip6 fusis) whole from the desired state, through the
/// engine: they then hold exactly the SNAT rules the services need, and when no service needs SNAT they are deleted
/// (the cleanup of tables left behind, for example after the desired state was moved away). Other tables are never
/// touched. The reconcile repairs drift on its own; this does it now.
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "FusisSnat", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RepairFusisSnatCommand : FusisBackendCmdletBase
{
    protected override void EndProcessing() => Change(new RewriteSnatOperation());
}
