using System.Management.Automation;
using System.Text;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Model;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// Import-FusisConfiguration: makes a whole configuration (Json or ipvsadm rules) the desired state and
/// reconciles the kernel to it. The imported services become exactly the services Fusis owns: owned services
/// the configuration does not name are deleted; services it names that exist but that Fusis does not own are
/// refused unless -Adopt is given. Everything is read and validated before the first write; the desired state
/// is saved before the kernel is written; -WhatIf lists every kernel operation.
/// </summary>
[Cmdlet(VerbsData.Import, "FusisConfiguration", DefaultParameterSetName = ByPath, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FusisService))]
public sealed class ImportFusisConfigurationCommand : FusisCmdletBase
{
    public const string ByPath = nameof(ByPath);
    public const string ByText = nameof(ByText);

    private readonly StringBuilder _text = new();

    [Parameter(ParameterSetName = ByPath, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The configuration as text, whole or line by line (ipvsadm -S -n | Import-FusisConfiguration -Format Ipvsadm).</summary>
    [Parameter(ParameterSetName = ByText, Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string[] InputObject { get; set; } = [];

    [Parameter]
    public FusisConfigurationFormat Format { get; set; } = FusisConfigurationFormat.Json;

    /// <summary>Takes over kernel services the configuration names that Fusis does not own yet.</summary>
    [Parameter]
    public SwitchParameter Adopt { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (string line in InputObject)
        {
            _text.Append(line).Append('\n');
        }
    }

    protected override void EndProcessing()
    {
        (string text, string source) = ReadInput();
        DesiredState next;
        try
        {
            using DesiredStateTransaction transaction = DesiredStateTransaction.Begin(StatePath);
            DesiredState current = transaction.Current;
            IReadOnlyList<DesiredService> services = Parse(text, source, current);
            IReadOnlyList<DesiredService> unmanaged = ConfigurationImport.Unmanaged(current, services, ReadKernel(k => k.GetServices()).Select(s => s.Key));
            if (unmanaged.Count > 0 && !Adopt)
            {
                foreach (DesiredService service in unmanaged)
                {
                    WriteError(new ErrorRecord(
                        new InvalidOperationException(
                            $"{source} names {service.Key}, which exists in the kernel but is not a service Fusis owns; give -Adopt to take it over. Nothing was changed"),
                        ErrorIds.ServiceNotManaged, ErrorCategory.PermissionDenied, service.Name));
                }

                return;
            }

            next = ConfigurationImport.Replace(current, services);
            if (next.Validate() is { Count: > 0 } problems)
            {
                ThrowTerminatingError(Invalid(new DesiredStateException($"{source} is not a valid configuration; nothing was changed", problems), source));
            }

            ReconcilePlan plan = ReadKernel(k => Reconciler.Plan(next, k));
            // Every operation only when someone will read them (-WhatIf, -Verbose): 22,000 lines are not free.
            bool listed = MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Verbose");
            if (!ShouldProcess(Describe(plan, services, source, everyOperation: listed), Describe(plan, services, source, everyOperation: false), "Import-FusisConfiguration"))
            {
                return;
            }

            transaction.Save(next);
            ReconcileResult result = Apply(plan);
            foreach (IpvsOperationResult failed in result.Results.Where(r => !r.Succeeded))
            {
                WriteError(KernelErrors.ToErrorRecord(failed.Error!, failed.Operation.ServiceKey.ToString(), failed.Operation.Kind));
            }

            if (result.RetiredGone.Count > 0)
            {
                transaction.Save(next.Forget(result.RetiredGone.ToHashSet()));
            }

            WriteVerbose($"{result.Results.Count} kernel operations applied, {result.Results.Count(r => !r.Succeeded)} refused");
        }
        catch (DesiredStateException e)
        {
            WriteError(DesiredStateTransaction.ToErrorRecord(e, source));
            return;
        }

        if (PassThru)
        {
            var imported = next.Services.Select(s => s.Key).ToHashSet();
            WriteObject(ReadKernel(k => ServiceCatalog.Read(k, next)).Where(s => imported.Contains(s.Key)), enumerateCollection: true);
        }
    }

    private (string Text, string Source) ReadInput()
    {
        if (ParameterSetName == ByText)
        {
            return (_text.ToString(), "the configuration");
        }

        string path = GetResolvedProviderPathFromPSPath(Path, out _).Single();
        try
        {
            return (File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.FileReadFailed, ErrorCategory.ReadError, path));
            throw; // not reached
        }
    }

    private IReadOnlyList<DesiredService> Parse(string text, string source, DesiredState current)
    {
        try
        {
            return Format == FusisConfigurationFormat.Ipvsadm
                ? ConfigurationImport.FromTable(IpvsadmRules.Parse(text), current)
                : DesiredStateStore.FromJson(Encoding.UTF8.GetBytes(text)).Services;
        }
        catch (FormatException e)
        {
            ThrowTerminatingError(Invalid(new FormatException($"{source} is not a Fusis {Format} configuration: {e.Message}. Nothing was changed", e), source));
            throw; // not reached
        }
    }

    private ReconcileResult Apply(ReconcilePlan plan)
    {
        if (plan.Operations.Count <= Reconciler.ProgressBatchSize)
        {
            return Reconciler.Apply(plan, Kernel);
        }

        var progress = new ProgressRecord(0, "Import-FusisConfiguration", $"Applying {plan.Operations.Count} kernel operations");
        ReconcileResult result = Reconciler.Apply(plan, Kernel, done =>
        {
            progress.PercentComplete = (int)(100L * done / plan.Operations.Count);
            progress.StatusDescription = $"{done} of {plan.Operations.Count} kernel operations";
            WriteProgress(progress);
        });
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        return result;
    }

    private static string Describe(ReconcilePlan plan, IReadOnlyList<DesiredService> services, string source, bool everyOperation)
    {
        var text = new StringBuilder(
            $"import {services.Count} services with {services.Sum(s => s.Destinations.Count)} destinations from {source}: " +
            $"{plan.Operations.Count} kernel operations");
        if (everyOperation)
        {
            foreach (IpvsOperation operation in plan.Operations)
            {
                text.Append('\n').Append("  ").Append(operation);
            }
        }

        return text.ToString();
    }

    private static ErrorRecord Invalid(Exception exception, string source) =>
        new(exception, ErrorIds.ConfigurationInvalid, ErrorCategory.InvalidData, source);
}
