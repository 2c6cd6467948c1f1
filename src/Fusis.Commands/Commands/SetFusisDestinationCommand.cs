using System.Management.Automation;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>Set-FusisDestination: changes a destination of an owned service in place (weight 0 drains it).</summary>
[Cmdlet(VerbsCommon.Set, "FusisDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class SetFusisDestinationCommand : FusisDestinationCmdletBase
{
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

        if (Api is not null)
        {
            RemoteWrite<object>(Target, HttpMethod.Patch, ApiPath, DestinationSettings.ToPatch(bound), destination: true, out _);
            return;
        }

        ChangeDesiredState(
            Target,
            current =>
            {
                if (FindDestination(current) is not ({ } owned, { } present))
                {
                    return null;
                }

                IpvsDestination changed = DestinationSettings.Apply(present, bound, out string? problem);
                if (problem is not null)
                {
                    WriteError(InvalidArgument($"{ServiceName}: {problem}", changed));
                    return null;
                }

                return (WithDestination(current, owned, present, changed), [IpvsOperation.UpdateDestination(owned.Key, changed)]);
            },
            undoOnRefusal: true);
    }
}
