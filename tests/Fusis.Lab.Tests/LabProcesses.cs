using System.Diagnostics;
using System.Text;

namespace Fusis.Lab.Tests;

/// <summary>
/// The named processes a lab scenario starts in its namespaces (balancers, BIRDs, servers), with one log of their
/// output, each line led by the process's name; disposing kills those still running.
/// </summary>
internal sealed class LabProcesses : IDisposable
{
    private readonly Dictionary<string, Process> _processes = [];
    private readonly StringBuilder _log = new();

    public Process this[string name] => _processes[name];

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="program"/> in namespace <paramref name="ns"/> as <paramref name="name"/> (again, after it stopped).</summary>
    public void Start(string name, string ns, string program, params string[] arguments)
    {
        if (_processes.Remove(name, out Process? previous))
        {
            previous.Dispose();
        }

        _processes[name] = ClusterLab.StartIn(ns, program, arguments, line =>
        {
            if (line is not null)
            {
                lock (_log)
                {
                    _log.Append(name).Append(": ").AppendLine(line);
                }
            }
        });
    }

    public void Dispose()
    {
        foreach (Process process in _processes.Values.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        foreach (Process process in _processes.Values)
        {
            process.Dispose();
        }
    }
}
