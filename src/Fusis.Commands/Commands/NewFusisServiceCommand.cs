using System.Management.Automation;
using Fusis.Core.Api;
using Fusis.Core.Model;
using Fusis.Core.Operations;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// New-FusisService: a named virtual service Fusis owns, created by the engine (saved, then written to the kernel;
/// undone when the kernel refuses it). Writes the service it created, as New-Item does.
/// </summary>
[Cmdlet(VerbsCommon.New, "FusisService", DefaultParameterSetName = EndPoint, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FusisService))]
public sealed class NewFusisServiceCommand : FusisBackendCmdletBase
{
    public const string EndPoint = nameof(EndPoint);
    public const string FirewallMarkSet = "FirewallMark";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>tcp (default), udp or sctp.</summary>
    [Parameter(ParameterSetName = EndPoint, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string Protocol { get; set; } = Words.Protocols.Word(IpvsProtocol.Tcp);

    /// <summary>The virtual IPv4 or IPv6 address.</summary>
    [Parameter(ParameterSetName = EndPoint, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    [Parameter(ParameterSetName = EndPoint, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public int Port { get; set; }

    [Parameter(ParameterSetName = FirewallMarkSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public uint FirewallMark { get; set; }

    /// <summary>ipv4 (default) or ipv6, for a firewall-mark service.</summary>
    [Parameter(ParameterSetName = FirewallMarkSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string AddressFamily { get; set; } = Words.AddressFamilies.Word(System.Net.Sockets.AddressFamily.InterNetwork);

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string Scheduler { get; set; } = IpvsService.DefaultScheduler;

    /// <summary>Seconds a client sticks to its destination; 0 (the default) means no persistence.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint PersistenceTimeout { get; set; }

    /// <summary>Persistence granularity: an IPv4 mask ("255.255.255.0") or an IPv6 prefix length ("64").</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Netmask { get; set; }

    /// <summary>sip, for SIP call-id persistence.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PersistenceEngine { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter OnePacket { get; set; }

    /// <summary>Scheduler flags: fallback and port (sh and mh), flag-3.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string[] SchedulerFlag { get; set; } = [];

    /// <summary>
    /// SNAT of the traffic to NAT destinations: off, masquerade (the address of the interface it leaves by), or an
    /// address of the balancer; not given: the balancer's default. Destinations then need no route back to clients.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? Snat { get; set; }

    protected override void ProcessRecord()
    {
        bool mark = ParameterSetName == FirewallMarkSet;
        var request = new ServiceRequest
        {
            Name = Name,
            Protocol = mark ? Words.FirewallMarkProtocol : Protocol,
            Address = mark ? null : Address,
            Port = mark ? null : Port,
            FirewallMark = mark ? FirewallMark : null,
            AddressFamily = mark ? AddressFamily : null,
            Scheduler = Scheduler,
            Persistent = PersistenceTimeout,
            Netmask = Netmask,
            PersistenceEngine = PersistenceEngine,
            OnePacket = OnePacket.IsPresent,
            SchedulerFlags = [.. SchedulerFlag],
            Snat = Snat,
        };
        if (Change(new CreateServiceOperation(request)) is { Service: { } created })
        {
            WriteObject(ApiModel.ToService(created));
        }
    }
}
