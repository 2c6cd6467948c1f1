using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Fusis.Core.State;
using Fusis.TestSupport;

namespace Fusis.Commands.Tests;

/// <summary>
/// The module's cmdlets in an in-process runspace over an in-memory kernel and a desired state in a temporary
/// folder (unit tests of the cmdlet layer; the lab proves the cmdlets against the real kernel).
/// </summary>
internal sealed class CmdletHost : IDisposable
{
    private readonly Runspace _runspace;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-cmdlets-");
    private readonly string? _previousStatePath = Environment.GetEnvironmentVariable(FusisCmdletBase.StatePathVariable);
    private readonly string? _previousSocketPath = Environment.GetEnvironmentVariable(Core.Backends.LocalBackend.SocketPathVariable);
    private readonly Func<Netlink.Ipvs.IIpvsKernel> _previousFactory = FusisCmdletBase.KernelFactory;

    public CmdletHost(DesiredState desired)
    {
        StatePath = Path.Combine(_folder.FullName, "state.json");
        FileDesiredStateStore.Write(StatePath, desired);
        Environment.SetEnvironmentVariable(FusisCmdletBase.StatePathVariable, StatePath);
        // No balancer daemon on this "host" unless a test starts one there.
        Environment.SetEnvironmentVariable(Core.Backends.LocalBackend.SocketPathVariable, Path.Combine(_folder.FullName, "fusis.sock"));
        FusisCmdletBase.KernelFactory = () => new KernelView(Kernel);

        InitialSessionState state = InitialSessionState.CreateDefault(); // with the Utility cmdlets (ConvertTo-Json, ...)
        foreach (Type type in typeof(FusisCmdletBase).Assembly.GetTypes().Where(t => t.GetCustomAttributes(typeof(CmdletAttribute), false).Length > 0))
        {
            var cmdlet = (CmdletAttribute)type.GetCustomAttributes(typeof(CmdletAttribute), false)[0];
            state.Commands.Add(new SessionStateCmdletEntry($"{cmdlet.VerbName}-{cmdlet.NounName}", type, null));
        }

        _runspace = RunspaceFactory.CreateRunspace(Host, state);
        _runspace.Open();
    }

    public MemoryIpvsKernel Kernel { get; } = new();

    /// <summary>What the cmdlets wrote to the host (-WhatIf's lines among them).</summary>
    public RecordingHost Host { get; } = new();

    public string StatePath { get; }

    /// <summary>The state file and its journal, byte for byte: what "nothing was written" compares.</summary>
    public string SavedFiles() => string.Join("\n--- journal ---\n", new[] { StatePath, StatePath + ".journal" }.Select(f => File.Exists(f) ? File.ReadAllText(f) : string.Empty));

    public DesiredState Saved => FileDesiredStateStore.Read(StatePath);

    public (Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors) Invoke(string script)
    {
        using var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        Collection<PSObject> output = shell.Invoke();
        return (output, shell.Streams.Error.ToList());
    }

    public void Dispose()
    {
        _runspace.Dispose();
        FusisCmdletBase.KernelFactory = _previousFactory;
        Environment.SetEnvironmentVariable(FusisCmdletBase.StatePathVariable, _previousStatePath);
        Environment.SetEnvironmentVariable(Core.Backends.LocalBackend.SocketPathVariable, _previousSocketPath);
        _folder.Delete(recursive: true);
    }
}
