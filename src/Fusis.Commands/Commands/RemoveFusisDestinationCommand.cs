using System.Management.Automation;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// Remove-FusisDestination: takes a real server out of an owned service. It leaves the desired state first; if
/// the kernel write fails, the next reconcile deletes it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FusisDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFusisDestinationCommand : FusisDestinationCmdletBase
{
    protected override void ProcessRecord()
    {
        if (Api is not null)
        {
            RemoteWrite<object>(Target, HttpMethod.Delete, ApiPath, null, destination: true, out _);
            return;
        }

        ChangeDesiredState(
            Target,
            current => FindDestination(current) is ({ } owned, { } present)
                ? (WithDestination(current, owned, present, null), [IpvsOperation.DeleteDestination(owned.Key, present)])
                : null,
            undoOnRefusal: false);
    }
}
