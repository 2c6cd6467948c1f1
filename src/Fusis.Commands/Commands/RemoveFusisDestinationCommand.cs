using System.Management.Automation;
using Fusis.Core.Operations;

namespace Fusis.Commands.Commands;

/// <summary>
/// Remove-FusisDestination: takes a real server out of an owned service. It leaves the desired state first; if
/// the kernel write fails, the next reconcile deletes it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FusisDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFusisDestinationCommand : FusisDestinationCmdletBase
{
    protected override void ProcessRecord() => Change(new DeleteDestinationOperation(ServiceName, DestinationId));
}
