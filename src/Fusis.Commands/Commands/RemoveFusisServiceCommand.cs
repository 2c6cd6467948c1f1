using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Core.Operations;

namespace Fusis.Commands.Commands;

/// <summary>
/// Remove-FusisService: deletes services Fusis owns, with their destinations. The engine records the service as
/// retired before the kernel is written and forgets it once the kernel confirms it is gone, so an interrupted
/// removal is finished by the next reconcile. Services Fusis does not own are refused.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FusisService", DefaultParameterSetName = ByInputObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFusisServiceCommand : FusisBackendCmdletBase
{
    public const string ByName = nameof(ByName);
    public const string ByInputObject = nameof(ByInputObject);

    [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(ParameterSetName = ByInputObject, Mandatory = true, ValueFromPipeline = true)]
    public FusisService[] InputObject { get; set; } = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByInputObject)
        {
            ForEachOwned(InputObject, service => Change(new DeleteServiceOperation(service.Name!)));
            return;
        }

        foreach (string name in Name)
        {
            // A plain name goes to the engine as it is, so an owned service already gone from the kernel can still be removed.
            IEnumerable<string> names = WildcardPattern.ContainsWildcardCharacters(name) ? MatchOwned(Services, s => s.Name, name).Select(s => s.Name!) : [name];
            foreach (string owned in names)
            {
                Change(new DeleteServiceOperation(owned));
            }
        }
    }
}
