using System.Management.Automation;
using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>Set-FusisDestination: changes a destination of an owned service in place (weight 0 drains it).</summary>
[Cmdlet(VerbsCommon.Set, "FusisDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class SetFusisDestinationCommand : FusisCmdletBase
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

    [Parameter]
    [ValidateSet("Masquerade", "DirectRoute", "Tunnel")]
    public string? ForwardingMethod { get; set; }

    [Parameter]
    [ValidateRange(0, IpvsDestination.MaxWeight)]
    public int Weight { get; set; }

    [Parameter]
    public uint UpperThreshold { get; set; }

    [Parameter]
    public uint LowerThreshold { get; set; }

    [Parameter]
    [ValidateSet("IpIp", "Gue", "Gre")]
    public string? TunnelType { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int TunnelPort { get; set; }

    [Parameter]
    [ValidateSet("None", "Checksum", "RemoteChecksum")]
    public string? TunnelChecksum { get; set; }

    protected override void ProcessRecord()
    {
        // Objects piped from Get-FusisDestination bind ServiceName, Address and Port; only the options typed here change.
        var bound = new Dictionary<string, object>(MyInvocation.BoundParameters);
        foreach (string key in new[] { nameof(ServiceName), nameof(Address), nameof(Port) })
        {
            bound.Remove(key);
        }

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
                        new ItemNotFoundException($"{ServiceName} has no destination {Address}:{Port}; nothing was changed"),
                        ErrorIds.DestinationNotFound, ErrorCategory.ObjectNotFound, $"{Address}:{Port}"));
                    return null;
                }

                IpvsDestination changed = DestinationSettings.Apply(present, bound, out string? problem);
                if (problem is not null)
                {
                    WriteError(DestinationSettings.Invalid($"{ServiceName}: {problem}", changed));
                    return null;
                }

                var services = current.Services.Select(s => s == owned
                    ? s with { Destinations = s.Destinations.Select(d => d == present ? changed : d).ToList() }
                    : s).ToList();
                return (current with { Services = services }, [IpvsOperation.UpdateDestination(owned.Key, changed)]);
            },
            undoOnRefusal: true);
    }
}
