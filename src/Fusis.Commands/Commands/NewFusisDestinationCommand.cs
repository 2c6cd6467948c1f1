using System.Management.Automation;
using System.Net;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>New-FusisDestination: adds a real server to an owned service, by name or from Get-FusisService.</summary>
// Default: by value, so a piped FusisService binds whole (as in Get-FusisDestination).
[Cmdlet(VerbsCommon.New, "FusisDestination", DefaultParameterSetName = ByInputObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FusisDestination))]
public sealed class NewFusisDestinationCommand : FusisRemotableCmdletBase
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
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = -1;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Masquerade", "DirectRoute", "Tunnel")]
    public string ForwardingMethod { get; set; } = "Masquerade";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, IpvsDestination.MaxWeight)]
    public int Weight { get; set; } = 1;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint UpperThreshold { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint LowerThreshold { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("IpIp", "Gue", "Gre")]
    public string? TunnelType { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int TunnelPort { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("None", "Checksum", "RemoteChecksum")]
    public string? TunnelChecksum { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is { Managed: false })
        {
            WriteError(NotManaged(InputObject));
            return;
        }

        string name = InputObject?.Name ?? ServiceName;
        if (!IPAddress.TryParse(Address, out IPAddress? address) || address.AddressFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            WriteError(InvalidArgument($"{name}: '{Address}' is not an IPv4 or IPv6 address", Address));
            return;
        }

        var bound = new Dictionary<string, object>(MyInvocation.BoundParameters) { ["ForwardingMethod"] = ForwardingMethod, ["Weight"] = Weight };
        if (Api is not null)
        {
            IpvsDestination wanted = DestinationSettings.Apply(new IpvsDestination { Address = address, Port = (ushort)Math.Max(Port, 0) }, bound, out string? problem);
            if (problem is not null)
            {
                WriteError(InvalidArgument($"{name}: {problem}", wanted));
                return;
            }

            Core.Api.DestinationRequest request = Core.Api.ApiRequests.Destination(wanted);
            request.Port = Port >= 0 ? Port : null; // the service's own port
            string path = $"services/{Remote.FusisApiClient.Escape(name)}/destinations";
            if (RemoteWrite(name, HttpMethod.Post, path, request, destination: true, out Core.Api.DestinationResource? made) && PassThru && made is not null
                && RemoteRead(api => api.GetService(name), name) is { } service)
            {
                WriteObject(Core.Api.ApiModel.ToDestination(service, made));
            }

            return;
        }

        (IpvsServiceKey To, IpvsDestination Destination)? added = null;
        ChangeDesiredState(
            $"{name} ({Address})",
            current =>
            {
                if (FindOwned(current, name) is not { } owned)
                {
                    return null;
                }

                ushort port = Port >= 0 ? (ushort)Port : owned.Key.Port;
                IpvsDestination destination = DestinationSettings.Apply(new IpvsDestination { Address = address, Port = port }, bound, out string? problem);
                if (problem is not null)
                {
                    WriteError(InvalidArgument($"{name}: {problem}", destination));
                    return null;
                }

                if (owned.Destinations.Any(d => d.Address.Equals(address) && d.Port == port))
                {
                    WriteError(new ErrorRecord(
                        new InvalidOperationException($"{name} already has the destination {destination}; nothing was changed"),
                        ErrorIds.DestinationExists, ErrorCategory.ResourceExists, destination));
                    return null;
                }

                added = (owned.Key, destination);
                var services = current.Services.Select(s => s == owned ? s with { Destinations = [.. s.Destinations, destination] } : s).ToList();
                return (current with { Services = services }, [IpvsOperation.AddDestination(owned.Key, destination)]);
            },
            undoOnRefusal: true,
            () =>
            {
                if (PassThru)
                {
                    WriteObject(new FusisDestination(name, added!.Value.To, added.Value.Destination));
                }
            });
    }
}
