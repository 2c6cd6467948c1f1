using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisService: the kernel's virtual services, with the names of those Fusis owns.</summary>
[Cmdlet(VerbsCommon.Get, "FusisService")]
[OutputType(typeof(FusisService))]
public sealed class GetFusisServiceCommand : FusisRemotableCmdletBase
{
    private IReadOnlyList<FusisService>? _services;

    /// <summary>Names (wildcards allowed) of owned services; none: every service, owned or not.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        // Remote mode lists the services the balancer owns; local mode every kernel service, owned or not.
        _services ??= Api is null
            ? ReadKernel(kernel => ServiceCatalog.Read(kernel, Desired))
            : RemoteServices.Select(Core.Api.ApiModel.ToService).ToList();
        if (Name is null)
        {
            WriteObject(_services, enumerateCollection: true);
            return;
        }

        foreach (string name in Name)
        {
            WriteObject(MatchOwned(_services, s => s.Name, name), enumerateCollection: true);
        }
    }
}
