using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Fusis.Lab.Tests;

/// <summary>An in-process runspace with the laid-out Fusis module imported (FUSISTEST_MODULE_MANIFEST, set by build.ps1).</summary>
internal sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellSession()
    {
        string manifest = Environment.GetEnvironmentVariable("FUSISTEST_MODULE_MANIFEST") is { Length: > 0 } path && File.Exists(path)
            ? path
            : throw new InvalidOperationException("FUSISTEST_MODULE_MANIFEST must name the laid-out Fusis.psd1 (build.ps1 -Task Test sets it)");
        InitialSessionState state = InitialSessionState.CreateDefault(); // with the Utility cmdlets (ConvertTo-Json, ...)
        state.ImportPSModule(manifest);
        _runspace = RunspaceFactory.CreateRunspace(state);
        // Pipelines run on the caller's thread: a test can change that thread (e.g. drop a capability) first.
        _runspace.ThreadOptions = PSThreadOptions.UseCurrentThread;
        _runspace.Open();
    }

    /// <summary>Runs a script; returns its output and the errors it wrote.</summary>
    public (Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors) Invoke(string script)
    {
        using var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        Collection<PSObject> output = shell.Invoke();
        return (output, shell.Streams.Error.ToList());
    }

    public void Dispose() => _runspace.Dispose();
}
