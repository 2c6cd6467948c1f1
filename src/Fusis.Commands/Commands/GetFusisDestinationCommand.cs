using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Core.State;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisDestination: the real servers of services, by service name or from Get-FusisService.</summary>
// Default: by value, so every piped service binds whole (an unmanaged one has no Name to bind by).
[Cmdlet(VerbsCommon.Get, "FusisDestination", DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(FusisDestination))]
public sealed class GetFusisDestinationCommand : FusisRemotableCmdletBase
{
    public const string ByName = nameof(ByName);
    public const string ByInputObject = nameof(ByInputObject);

    private IReadOnlyList<(string Name, Netlink.Ipvs.IpvsServiceKey Key)>? _owned;

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
        if (Api is not null)
        {
            IEnumerable<string> names = ParameterSetName == ByInputObject ? InputObject.Select(s => s.Name).OfType<string>() : ServiceName;
            foreach (string name in names)
            {
                foreach (Core.Api.ServiceResource service in MatchOwned(RemoteServices, s => s.Name, name))
                {
                    WriteObject(service.Destinations.Select(d => Core.Api.ApiModel.ToDestination(service, d)), enumerateCollection: true);
                }
            }

            return;
        }

        if (ParameterSetName == ByInputObject)
        {
            foreach (FusisService service in InputObject)
            {
                WriteDestinations(service.Name, service.Key);
            }

            return;
        }

        // Names only: the destinations are dumped once each, for the services that match.
        _owned ??= ReadKernel(kernel => ServiceCatalog.Named(kernel, Desired));
        foreach (string name in ServiceName)
        {
            foreach ((string owned, Netlink.Ipvs.IpvsServiceKey key) in MatchOwned(_owned, s => s.Name, name))
            {
                WriteDestinations(owned, key);
            }
        }
    }

    private void WriteDestinations(string? name, Netlink.Ipvs.IpvsServiceKey key)
    {
        DesiredService? owned = name is null ? null : Desired.Find(name);
        foreach (var destination in ReadKernel(kernel => kernel.GetDestinations(key), key))
        {
            string state = owned?.LabelOf(destination) switch { { Down: true } => "Down", { Draining: true } => "Draining", _ => "Up" };
            WriteObject(new FusisDestination(name, key, destination, state));
        }
    }
}
