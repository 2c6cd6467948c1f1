using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisDestination: the real servers of services, by service name or from Get-FusisService.</summary>
// Default: by value, so every piped service binds whole (an unmanaged one has no Name to bind by).
[Cmdlet(VerbsCommon.Get, "FusisDestination", DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(FusisDestination))]
public sealed class GetFusisDestinationCommand : FusisBackendCmdletBase
{
    public const string ByName = nameof(ByName);
    public const string ByInputObject = nameof(ByInputObject);

    /// <summary>Names (wildcards allowed) of owned services.</summary>
    [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[] ServiceName { get; set; } = [];

    /// <summary>Services from Get-FusisService, owned or not.</summary>
    [Parameter(ParameterSetName = ByInputObject, Mandatory = true, ValueFromPipeline = true)]
    public FusisService[] InputObject { get; set; } = [];

    protected override void ProcessRecord()
    {
        IEnumerable<FusisService> services = ParameterSetName == ByInputObject
            ? InputObject
            : ServiceName.SelectMany(name => MatchOwned(Services, s => s.Name, name));
        foreach (FusisService service in services)
        {
            WriteObject(Read(cancellation => Backend.GetDestinationsAsync(service, cancellation), service), enumerateCollection: true);
        }
    }
}
