using System.Reflection;
using Fusis.Daemon.CommandLine;

namespace Fusis.Daemon;

/// <summary>The <c>fusis</c> executable: <c>fusis balancer</c> runs the balancer daemon, <c>fusis agent</c> the agent on a backend.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => FusisCommandLine.InvokeAsync(args, Console.Out, Console.Error);

    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
