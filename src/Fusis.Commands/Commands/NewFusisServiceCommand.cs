using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Fusis.Core;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// New-FusisService: a named virtual service Fusis owns. The desired state is saved before the kernel is
/// written; when the kernel refuses the service, the desired state is put back and nothing is left behind.
/// </summary>
[Cmdlet(VerbsCommon.New, "FusisService", DefaultParameterSetName = EndPoint, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FusisService))]
public sealed class NewFusisServiceCommand : FusisRemotableCmdletBase
{
    public const string EndPoint = nameof(EndPoint);
    public const string FirewallMarkSet = "FirewallMark";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    [Parameter(ParameterSetName = EndPoint, ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Tcp", "Udp", "Sctp")]
    public string Protocol { get; set; } = "Tcp";

    /// <summary>The virtual IPv4 or IPv6 address.</summary>
    [Parameter(ParameterSetName = EndPoint, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    [Parameter(ParameterSetName = EndPoint, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter(ParameterSetName = FirewallMarkSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, uint.MaxValue)]
    public uint FirewallMark { get; set; }

    [Parameter(ParameterSetName = FirewallMarkSet, ValueFromPipelineByPropertyName = true)]
    [ValidateSet("IPv4", "IPv6")]
    public string AddressFamily { get; set; } = "IPv4";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SchedulerCompleter))]
    public string Scheduler { get; set; } = IpvsService.DefaultScheduler;

    /// <summary>Seconds a client sticks to its destination; 0 (the default) means no persistence.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint PersistenceTimeout { get; set; }

    /// <summary>Persistence granularity: an IPv4 mask ("255.255.255.0") or an IPv6 prefix length ("64").</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Netmask { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("sip")]
    public string? PersistenceEngine { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter OnePacket { get; set; }

    /// <summary>Scheduler flags: Fallback and Port (sh and mh), Flag3.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Fallback", "Port", "Flag3")]
    public string[] SchedulerFlag { get; set; } = [];

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryBuildService(out IpvsService? service))
        {
            return;
        }

        string target = $"{Name} ({service.Key})";
        if (Api is not null)
        {
            if (RemoteWrite(target, HttpMethod.Post, "services", Core.Api.ApiRequests.Service(Name, service), destination: false, out Core.Api.ServiceResource? made)
                && PassThru && made is not null)
            {
                WriteObject(Core.Api.ApiModel.ToService(made));
            }

            return;
        }

        bool created = false;
        ChangeDesiredState(
            target,
            current =>
            {
                if (Conflict(current, service) is { } conflict)
                {
                    WriteError(conflict);
                    return null;
                }

                var owned = new DesiredService(Name, service, []);
                return (current with { Services = [.. current.Services, owned] }, [IpvsOperation.AddService(service)]);
            },
            undoOnRefusal: true, // the kernel refused the service outright: leave nothing behind
            () => created = true);

        if (!created)
        {
            return;
        }

        if (PassThru)
        {
            IpvsService written = ReadKernel(kernel => kernel.GetService(service.Key), target) ?? service;
            WriteObject(new FusisService(written, Name, 0));
        }
    }

    private bool TryBuildService([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IpvsService? service)
    {
        service = null;
        IpvsServiceKey key;
        if (ParameterSetName == FirewallMarkSet)
        {
            key = IpvsServiceKey.ForFirewallMark(FirewallMark, AddressFamily == "IPv6" ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork);
        }
        else if (IPAddress.TryParse(Address, out IPAddress? address) && address.AddressFamily is System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            key = IpvsServiceKey.ForEndPoint(Enum.Parse<IpvsProtocol>(Protocol, ignoreCase: true), address, (ushort)Port);
        }
        else
        {
            return Invalid($"'{Address}' is not an IPv4 or IPv6 address", Address);
        }

        uint? netmask = null;
        if (Netmask is not null)
        {
            if (!Fusis.Core.Netmask.TryParse(key.AddressFamily, Netmask, out uint mask, out string problem))
            {
                return Invalid(problem, Netmask);
            }

            netmask = mask;
        }

        IpvsServiceFlags flags = (PersistenceTimeout > 0 ? IpvsServiceFlags.Persistent : IpvsServiceFlags.None)
            | (OnePacket ? IpvsServiceFlags.OnePacket : IpvsServiceFlags.None);
        foreach (string flag in SchedulerFlag)
        {
            flags |= flag switch
            {
                "Fallback" => IpvsServiceFlags.SchedulerFallback,
                "Port" => IpvsServiceFlags.SchedulerPort,
                _ => IpvsServiceFlags.SchedulerFlag3,
            };
        }

        service = new IpvsService
        {
            Key = key, Scheduler = Scheduler, Flags = flags, Timeout = PersistenceTimeout, Netmask = netmask, PersistenceEngine = PersistenceEngine,
        };
        return true;
    }

    private bool Invalid(string message, object target)
    {
        WriteError(InvalidArgument($"{Name}: {message}", target));
        return false;
    }

    private ErrorRecord? Conflict(DesiredState current, IpvsService service)
    {
        string? message = current.Find(Name) is { } named
            ? $"a service named '{named.Name}' already exists ({named.Key})"
            : current.Services.FirstOrDefault(s => s.Key == service.Key) is { } other
                ? $"{service.Key} is already the service '{other.Name}'"
                : ReadKernel(kernel => kernel.GetService(service.Key), service.Key) is not null
                    ? $"{service.Key} already exists in the kernel and Fusis does not own it (Fusis never changes services it does not own)"
                    : null;
        return message is null
            ? null
            : new ErrorRecord(new InvalidOperationException($"cannot create '{Name}': {message}; nothing was changed"), ErrorIds.ServiceExists, ErrorCategory.ResourceExists, Name);
    }
}
