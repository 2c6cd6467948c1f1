using System.Management.Automation;
using System.Net;

namespace Fusis.Commands;

/// <summary>Cmdlets that address one destination of an owned service: by name, address and port, or piped from Get-FusisDestination.</summary>
public abstract class FusisDestinationCmdletBase : FusisBackendCmdletBase
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string ServiceName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public int Port { get; set; }

    /// <summary>How the engine addresses the destination: address:port ([v6]:port).</summary>
    protected string DestinationId => IPAddress.TryParse(Address, out IPAddress? address) && Port is >= 0 and <= 65535
        ? new IPEndPoint(address, Port).ToString()
        : $"{Address}:{Port}";
}
