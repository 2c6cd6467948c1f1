using System.Management.Automation;
using Fusis.Core.Api;
using Fusis.Core.Model;
using Fusis.Core.Operations;

namespace Fusis.Commands.Commands;

/// <summary>Set-FusisService: changes an owned service's settings in place; its destinations and connections stay.</summary>
[Cmdlet(VerbsCommon.Set, "FusisService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FusisService))]
public sealed class SetFusisServiceCommand : FusisBackendCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Renames the service (names are Fusis's own: the kernel is not written for a rename alone).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? Scheduler { get; set; }

    /// <summary>Seconds of persistence; 0 turns persistence off.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? PersistenceTimeout { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Netmask { get; set; }

    /// <summary>"sip", or "" to remove the persistence engine.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? PersistenceEngine { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter OnePacket { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyCollection]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string[]? SchedulerFlag { get; set; }

    /// <summary>
    /// SNAT of the traffic to NAT destinations: off, masquerade (the address of the interface it leaves by), or an
    /// address of the balancer; not given: unchanged. Not bound from piped objects, whose Snat is the setting in force
    /// (which may be the balancer's default: binding it would pin the default into the service).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WordCompleter))]
    public string? Snat { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        // Only what was given changes (PATCH).
        var patch = new ServiceRequest
        {
            Name = NewName,
            Scheduler = Scheduler,
            Persistent = PersistenceTimeout,
            Netmask = Netmask,
            PersistenceEngine = PersistenceEngine,
            OnePacket = MyInvocation.BoundParameters.ContainsKey(nameof(OnePacket)) ? OnePacket.IsPresent : null,
            SchedulerFlags = SchedulerFlag?.ToList(),
            Snat = Snat,
        };
        if (Change(new PatchServiceOperation(Name, patch)) is { Service: { } patched } && PassThru)
        {
            WriteObject(ApiModel.ToService(patched));
        }
    }
}
