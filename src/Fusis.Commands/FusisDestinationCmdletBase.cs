using System.Management.Automation;
using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>Cmdlets that address one destination of an owned service: by name, address and port, or piped from Get-FusisDestination.</summary>
public abstract class FusisDestinationCmdletBase : FusisRemotableCmdletBase
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

    /// <summary>The destination's path in the balancer's API (remote mode): its address:port.</summary>
    protected string ApiPath => $"services/{Remote.FusisApiClient.Escape(ServiceName)}/destinations/" +
        Remote.FusisApiClient.Escape(IPAddress.TryParse(Address, out IPAddress? address) ? new IPEndPoint(address, Port).ToString() : Address);

    /// <summary>What ShouldProcess and errors name: "web (198.18.1.1:8080)".</summary>
    protected string Target => $"{ServiceName} ({Address}:{Port})";

    /// <summary>The owned service and the destination this command addresses, or a non-terminating error and null.</summary>
    protected (DesiredService Service, IpvsDestination Destination)? FindDestination(DesiredState current)
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

        return (owned, present);
    }

    /// <summary><paramref name="current"/> with one destination of one service replaced (or removed, when null).</summary>
    protected static DesiredState WithDestination(DesiredState current, DesiredService owned, IpvsDestination present, IpvsDestination? replacement) =>
        current with
        {
            Services = current.Services.Select(s => s != owned ? s : s.WithDestinations(replacement is null
                ? s.Destinations.Where(d => d != present).ToList()
                : s.Destinations.Select(d => d == present ? replacement : d).ToList())).ToList(),
        };
}
