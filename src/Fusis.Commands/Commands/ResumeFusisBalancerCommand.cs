using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>
/// Resume-FusisBalancer: ends the drain of an anycast balancer: it announces again the VIPs it can serve.
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "FusisBalancer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FusisCluster))]
public sealed class ResumeFusisBalancerCommand : FusisBackendCmdletBase
{
    protected override void EndProcessing()
    {
        if (ShouldProcess(Backend.Description, "Ends the drain of the balancer"))
        {
            WriteObject(Read(cancellation => Backend.SetDrainingAsync(false, cancellation)));
        }
    }
}
