using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisDestination: the real servers of services, by service name or from Get-FusisService.</summary>
// Default: by value, so every piped service binds whole (an unmanaged one has no Name to bind by).
[Cmdlet(VerbsCommon.Get, "FusisDestination", DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(FusisDestination))]
public sealed class GetFusisDestinationCommand : FusisCmdletBase
{
    public const string ByName = nameof(ByName);
    public const string ByInputObject = nameof(ByInputObject);

    private IReadOnlyList<FusisService>? _services;

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
        if (ParameterSetName == ByInputObject)
        {
            foreach (FusisService service in InputObject)
            {
                WriteDestinations(service);
            }

            return;
        }

        _services ??= ReadKernel(kernel => ServiceCatalog.Read(kernel, Desired));
        foreach (string name in ServiceName)
        {
            foreach (FusisService service in MatchOwned(_services, s => s.Name, name))
            {
                WriteDestinations(service);
            }
        }
    }

    private void WriteDestinations(FusisService service)
    {
        foreach (var destination in ReadKernel(kernel => kernel.GetDestinations(service.Key), service))
        {
            WriteObject(new FusisDestination(service, destination));
        }
    }
}
