using System.Management.Automation;
using Fusis.Core.Operations;

namespace Fusis.Commands.Commands;

/// <summary>Set-FusisDestination: changes a destination of an owned service in place (weight 0 drains it).</summary>
[Cmdlet(VerbsCommon.Set, "FusisDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class SetFusisDestinationCommand : FusisDestinationCmdletBase
{
    /// <summary>nat, route or tunnel.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? ForwardingMethod { get; set; }

    [Parameter]
    public int Weight { get; set; }

    [Parameter]
    public uint UpperThreshold { get; set; }

    [Parameter]
    public uint LowerThreshold { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? TunnelType { get; set; }

    [Parameter]
    public int TunnelPort { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? TunnelChecksum { get; set; }

    // Objects piped from Get-FusisDestination bind ServiceName, Address and Port; only the options typed here change.
    protected override void ProcessRecord() =>
        Change(new PatchDestinationOperation(ServiceName, DestinationId, DestinationSettings.ToRequest(MyInvocation.BoundParameters)));
}
