using System.Management.Automation;
using System.Text;
using Fusis.Core;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Model;
using Fusis.Core.Operations;
using Fusis.Core.State;

namespace Fusis.Commands.Commands;

/// <summary>
/// Import-FusisConfiguration: makes a whole configuration (Json or ipvsadm rules) the desired state and converges
/// the kernel to it, through the engine. The imported services become exactly the services Fusis owns: owned services
/// the configuration does not name are deleted (hence ConfirmImpact High); services it names that exist but that Fusis
/// does not own are refused unless -Adopt is given. Everything is read and validated before the first write; the
/// desired state is saved before the kernel is written; -WhatIf lists every kernel operation.
/// </summary>
[Cmdlet(VerbsData.Import, "FusisConfiguration", DefaultParameterSetName = ByPath, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FusisService))]
public sealed class ImportFusisConfigurationCommand : FusisBackendCmdletBase
{
    public const string ByPath = nameof(ByPath);
    public const string ByText = nameof(ByText);

    private readonly StringBuilder _text = new();
    private string _source = "the configuration";

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
        (string text, _source) = ReadInput();
        IReadOnlyList<DesiredService> services = Parse(text, _source);

        // The engine validates the state the configuration would make, before anything is written (once: at 2,000
        // services a second, cold validation here cost a visible part of the import).
        if (Change(new ImportConfigurationOperation(services, Adopt)) is null || !PassThru)
        {
            return;
        }

        var imported = services.Select(s => s.Key).ToHashSet();
        WriteObject(Read(Backend.GetServicesAsync).Where(s => imported.Contains(s.Key)), enumerateCollection: true);
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

    // ipvsadm rules carry no names: a service Fusis owns keeps its name, the others are named from their key.
    private IReadOnlyList<DesiredService> Parse(string text, string source)
    {
        try
        {
            return Format == FusisConfigurationFormat.Ipvsadm
                ? ConfigurationImport.FromTable(IpvsadmRules.Parse(text), Services.Where(s => s.Managed).ToDictionary(s => s.Key, s => s.Name!))
                : FileDesiredStateStore.FromJson(Encoding.UTF8.GetBytes(text)).Services;
        }
        catch (FormatException e)
        {
            ThrowTerminatingError(Invalid(new FormatException($"{source} is not a Fusis {Format} configuration: {e.Message}. Nothing was changed", e), source));
            throw; // not reached
        }
    }

    // The engine's refusal of an invalid state: the configuration is what is invalid.
    private protected override ErrorRecord Refused(FusisException refusal, object? target) =>
        refusal.Code == FusisErrorCode.InvalidArgument
            ? Invalid(new DesiredStateException($"{_source} is not a valid configuration: {refusal.Message}", refusal), _source)
            : base.Refused(refusal, target);

    private static ErrorRecord Invalid(Exception exception, string source) =>
        new(exception, ErrorIds.ConfigurationInvalid, ErrorCategory.InvalidData, source);
}
