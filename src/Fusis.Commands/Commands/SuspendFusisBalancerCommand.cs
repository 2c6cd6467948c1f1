using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>
/// Suspend-FusisBalancer: drains an anycast balancer. It withdraws every VIP over BGP, so the router sends new flows to the other
/// balancers (which pick the same backends: Maglev), and goes on forwarding what still reaches it. Until Resume-FusisBalancer
/// or a restart.
/// </summary>
[Cmdlet(VerbsLifecycle.Suspend, "FusisBalancer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FusisCluster))]
public sealed class SuspendFusisBalancerCommand : FusisBackendCmdletBase
{
    protected override void EndProcessing()
    {
        if (ShouldProcess(Backend.Description, "Drains the balancer"))
        {
            WriteObject(Read(cancellation => Backend.SetDrainingAsync(true, cancellation)));
        }
    }
}
