using System.Management.Automation;
using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// Remove-FusisDestination: takes a real server out of an owned service. It leaves the desired state first; if
/// the kernel write fails, the next reconcile deletes it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FusisDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFusisDestinationCommand : FusisCmdletBase
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string ServiceName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    protected override void ProcessRecord() =>
        ChangeDesiredState(
            $"{ServiceName} ({Address}:{Port})",
            current =>
            {
                if (FindOwned(current, ServiceName) is not { } owned)
                {
                    return null;
                }

                IpvsDestination? present = IPAddress.TryParse(Address, out IPAddress? address)
                    ? owned.Destinations.FirstOrDefault(d => d.Address.Equals(address) && d.Port == Port)
                    : null;
                if (present is null)
                {
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"{ServiceName} has no destination {Address}:{Port}"),
                        ErrorIds.DestinationNotFound, ErrorCategory.ObjectNotFound, $"{Address}:{Port}"));
                    return null;
                }

                var services = current.Services.Select(s => s == owned ? s with { Destinations = s.Destinations.Where(d => d != present).ToList() } : s).ToList();
                return (current with { Services = services }, [IpvsOperation.DeleteDestination(owned.Key, present)]);
            },
            undoOnRefusal: false);
}
