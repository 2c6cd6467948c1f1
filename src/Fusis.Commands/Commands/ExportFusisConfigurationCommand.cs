using System.Management.Automation;
using System.Text;
using Fusis.Core.Ipvsadm;
using Fusis.Core.State;

namespace Fusis.Commands.Commands;

/// <summary>
/// Export-FusisConfiguration: the services Fusis owns, as a desired-state document (Json) or as rules
/// ipvsadm -R restores (Ipvsadm). Written to -Path, or to the pipeline as one string.
/// </summary>
[Cmdlet(VerbsData.Export, "FusisConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(string))]
public sealed class ExportFusisConfigurationCommand : FusisCmdletBase
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    public FusisConfigurationFormat Format { get; set; } = FusisConfigurationFormat.Json;

    /// <summary>Refuses to replace an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    protected override void EndProcessing()
    {
        IReadOnlyList<DesiredService> services = Desired.Services;
        string text = Format switch
        {
            FusisConfigurationFormat.Ipvsadm => IpvsadmRules.Write(new IpvsTable(services.Select(s => new IpvsTableService(s.Service, s.Destinations)).ToList())),
            _ => Encoding.UTF8.GetString(FileDesiredStateStore.ToJson(new DesiredState(services, []))),
        };

        if (Path is null)
        {
            WriteObject(text);
            return;
        }

        string path = GetUnresolvedProviderPathFromPSPath(Path);
        if (NoClobber && File.Exists(path))
        {
            WriteError(new ErrorRecord(
                new IOException($"{path} exists and -NoClobber was given; nothing was written"), ErrorIds.FileExists, ErrorCategory.ResourceExists, path));
            return;
        }

        if (!ShouldProcess(path, $"write {services.Count} services as {Format}"))
        {
            return;
        }

        try
        {
            File.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, ErrorIds.FileWriteFailed, ErrorCategory.WriteError, path));
        }
    }
}
