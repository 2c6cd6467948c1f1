using System.Management.Automation;
using Fusis.Core.Api;
using Fusis.Core.Model;
using Fusis.Core.Operations;

namespace Fusis.Commands.Commands;

/// <summary>
/// New-FusisDestination: adds a real server to an owned service, by name or from Get-FusisService. Writes the
/// destination it added, as New-Item does.
/// </summary>
// Default: by value, so a piped FusisService binds whole (as in Get-FusisDestination).
[Cmdlet(VerbsCommon.New, "FusisDestination", DefaultParameterSetName = ByInputObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FusisDestination))]
public sealed class NewFusisDestinationCommand : FusisBackendCmdletBase
{
    public const string ByName = nameof(ByName);
    public const string ByInputObject = nameof(ByInputObject);

    [Parameter(ParameterSetName = ByName, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string ServiceName { get; set; } = string.Empty;

    [Parameter(ParameterSetName = ByInputObject, Mandatory = true, ValueFromPipeline = true)]
    public FusisService? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    /// <summary>The real server's port; the service's own port when left out.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int Port { get; set; }

    /// <summary>nat (the service's default when left out), route or tunnel.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? ForwardingMethod { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int Weight { get; set; } = 1;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint UpperThreshold { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint LowerThreshold { get; set; }

    /// <summary>ipip, gue or gre (with -ForwardingMethod tunnel).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? TunnelType { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int TunnelPort { get; set; }

    /// <summary>none, checksum or remote-checksum (GUE and GRE).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? TunnelChecksum { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is { Managed: false })
        {
            WriteError(NotManaged(InputObject));
            return;
        }

        DestinationRequest request = DestinationSettings.ToRequest(new Dictionary<string, object>(MyInvocation.BoundParameters) { ["Weight"] = Weight });
        request.Address = Address;
        request.Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null; // else the service's own port
        if (Change(new AddDestinationOperation(InputObject?.Name ?? ServiceName, request)) is { Destination: { } added })
        {
            WriteObject(ApiModel.ToDestination(added));
        }
    }
}
