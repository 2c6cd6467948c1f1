using System.Management.Automation;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>Set-FusisService: changes an owned service's settings in place; its destinations and connections stay.</summary>
[Cmdlet(VerbsCommon.Set, "FusisService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Fusis.Core.Model.FusisService))]
public sealed class SetFusisServiceCommand : FusisRemotableCmdletBase
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
    [ArgumentCompleter(typeof(SchedulerCompleter))]
    public string? Scheduler { get; set; }

    /// <summary>Seconds of persistence; 0 turns persistence off.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? PersistenceTimeout { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Netmask { get; set; }

    /// <summary>"sip", or "" to remove the persistence engine.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("sip", "")]
    [AllowEmptyString]
    public string? PersistenceEngine { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter OnePacket { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Fallback", "Port", "Flag3")]
    [AllowEmptyCollection]
    public string[]? SchedulerFlag { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (Api is not null)
        {
            // Only what was given changes (PATCH).
            var patch = new Core.Api.ServiceRequest
            {
                Name = NewName,
                Scheduler = Scheduler,
                Persistent = PersistenceTimeout,
                Netmask = Netmask,
                PersistenceEngine = PersistenceEngine,
                OnePacket = MyInvocation.BoundParameters.ContainsKey(nameof(OnePacket)) ? OnePacket.IsPresent : null,
                SchedulerFlags = SchedulerFlag?.Select(f => f switch { "Fallback" => "fallback", "Port" => "port", _ => "flag-3" }).ToList(),
            };
            if (RemoteWrite(Name, HttpMethod.Patch, $"services/{Remote.FusisApiClient.Escape(Name)}", patch, destination: false, out Core.Api.ServiceResource? patched)
                && PassThru && patched is not null)
            {
                WriteObject(Core.Api.ApiModel.ToService(patched));
            }

            return;
        }

        IpvsService? changed = null;
        ChangeDesiredState(
            Name,
            current =>
            {
                if (FindOwned(current, Name) is not { } owned || Changed(owned.Service) is not { } service)
                {
                    return null;
                }

                if (NewName is not null && current.Find(NewName) is { } taken && taken != owned)
                {
                    WriteError(new ErrorRecord(
                        new InvalidOperationException($"a service named '{taken.Name}' already exists; nothing was changed"),
                        ErrorIds.ServiceExists, ErrorCategory.ResourceExists, NewName));
                    return null;
                }

                changed = service;
                string name = NewName ?? owned.Name;
                var services = current.Services.Select(s => s == owned ? s with { Name = name, Service = service } : s).ToList();
                IReadOnlyList<IpvsOperation> plan = Core.Reconcile.Planner.SameSettings(service, owned.Service) && NewName is not null
                    ? []
                    : [IpvsOperation.UpdateService(service)];
                return (current with { Services = services }, plan);
            },
            undoOnRefusal: true,
            () =>
            {
                if (PassThru)
                {
                    IpvsService written = ReadKernel(kernel => kernel.GetService(changed!.Key), Name) ?? changed!;
                    WriteObject(new Fusis.Core.Model.FusisService(written, NewName ?? Name, ReadKernel(kernel => kernel.GetDestinations(changed!.Key).Count, Name)));
                }
            });
    }

    private IpvsService? Changed(IpvsService service)
    {
        IpvsServiceFlags flags = service.Flags;
        if (PersistenceTimeout is { } timeout)
        {
            flags = timeout > 0 ? flags | IpvsServiceFlags.Persistent : flags & ~IpvsServiceFlags.Persistent;
            service = service with { Timeout = timeout };
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(OnePacket)))
        {
            flags = OnePacket ? flags | IpvsServiceFlags.OnePacket : flags & ~IpvsServiceFlags.OnePacket;
        }

        if (SchedulerFlag is not null)
        {
            flags &= ~(IpvsServiceFlags.SchedulerFallback | IpvsServiceFlags.SchedulerPort | IpvsServiceFlags.SchedulerFlag3);
            foreach (string flag in SchedulerFlag)
            {
                flags |= flag switch { "Fallback" => IpvsServiceFlags.SchedulerFallback, "Port" => IpvsServiceFlags.SchedulerPort, _ => IpvsServiceFlags.SchedulerFlag3 };
            }
        }

        if (Netmask is not null)
        {
            if (!Fusis.Core.Netmask.TryParse(service.Key.AddressFamily, Netmask, out uint mask, out string problem))
            {
                WriteError(InvalidArgument($"{Name}: {problem}", Netmask));
                return null;
            }

            service = service with { Netmask = mask };
        }

        if (PersistenceEngine is not null)
        {
            service = service with { PersistenceEngine = PersistenceEngine.Length == 0 ? null : PersistenceEngine };
        }

        return service with { Scheduler = Scheduler ?? service.Scheduler, Flags = flags };
    }
}
