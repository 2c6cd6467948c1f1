using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// Remove-FusisService: deletes services Fusis owns, with their destinations. The desired state records the
/// service as retired before the kernel is written, and forgets it once the kernel confirms it is gone, so an
/// interrupted removal is finished by the next reconcile. Services Fusis does not own are refused.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FusisService", DefaultParameterSetName = ByInputObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveFusisServiceCommand : FusisRemotableCmdletBase
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
        if (Api is not null)
        {
            IEnumerable<string> names = ParameterSetName == ByInputObject
                ? InputObject.Select(s => s.Name).OfType<string>()
                : Name.SelectMany(n => MatchOwned(RemoteServices, s => s.Name, n).Select(s => s.Name));
            foreach (string name in names)
            {
                RemoteWrite<object>(name, HttpMethod.Delete, $"services/{Remote.FusisApiClient.Escape(name)}", null, destination: false, out _);
            }

            return;
        }

        if (ParameterSetName == ByInputObject)
        {
            ForEachOwned(InputObject, service => Remove(service.Name!, service.Key, service.Service));

            return;
        }

        // Names match the desired state, so an owned service already gone from the kernel can still be removed.
        foreach (string name in Name)
        {
            foreach (DesiredService service in MatchOwned(Desired.Services, s => s.Name, name))
            {
                Remove(service.Name, service.Key, service.Key.ToString());
            }
        }
    }

    private void Remove(string name, IpvsServiceKey key, string display)
    {
        string target = $"{name} ({display})";
        if (!ShouldProcess(target, $"delete service {display} and its destinations"))
        {
            return;
        }

        try
        {
            using DesiredStateTransaction transaction = DesiredStateTransaction.Begin(StatePath);
            DesiredState current = transaction.Current;
            if (current.Services.FirstOrDefault(s => s.Key == key) is not { } owned)
            {
                WriteError(new ErrorRecord(
                    new ItemNotFoundException($"'{name}' is no longer in the desired state"), ErrorIds.ServiceNotFound, ErrorCategory.ObjectNotFound, name));
                return;
            }

            var remaining = current.Services.Where(s => s != owned).ToList();
            transaction.Save(new DesiredState(remaining, [.. current.Retired, owned.Key]));
            IpvsOperationResult result = Kernel.Apply([IpvsOperation.DeleteService(owned.Key)]).Single();
            if (result.Error is { Errno: not Errno.ESRCH } failed)
            {
                // Still retired: the next reconcile deletes it.
                WriteError(KernelErrors.ToErrorRecord(failed, name, IpvsOperationKind.DeleteService));
                return;
            }

            transaction.Save(new DesiredState(remaining, current.Retired));
        }
        catch (DesiredStateException e)
        {
            WriteError(DesiredStateTransaction.ToErrorRecord(e, name));
        }
    }
}
