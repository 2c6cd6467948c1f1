using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisService: the kernel's virtual services, with the names of those Fusis owns (remotely: those the balancer owns).</summary>
[Cmdlet(VerbsCommon.Get, "FusisService")]
[OutputType(typeof(FusisService))]
public sealed class GetFusisServiceCommand : FusisBackendCmdletBase
{
    /// <summary>Names (wildcards allowed) of owned services; none: every service, owned or not.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is null)
        {
            WriteObject(Services, enumerateCollection: true);
            return;
        }

        foreach (string name in Name)
        {
            WriteObject(MatchOwned(Services, s => s.Name, name), enumerateCollection: true);
        }
    }
}
