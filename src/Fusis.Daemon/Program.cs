using System.Reflection;
using Fusis.Daemon.Balancer;

namespace Fusis.Daemon;

/// <summary>The <c>fusis</c> executable: <c>fusis balancer</c> runs the balancer daemon, <c>fusis agent</c> the agent on a backend.</summary>
public static class Program
{
    /// <summary>Exit code for a command line that names no known command (as sysexits' EX_USAGE).</summary>
    public const int UsageExitCode = 64;

    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        switch (args)
        {
            case ["--version"]:
                Console.Out.WriteLine(Version);
                return 0;
            case ["balancer", .. var rest]:
                return await BalancerHost.RunAsync(rest).ConfigureAwait(false);
            case ["agent", .. var rest]:
                return await Agent.AgentHost.RunAsync(rest).ConfigureAwait(false);
            case ["dsc", .. var rest]:
                return await Dsc.DscCommand.RunAsync(
                    rest, Console.In, Console.Out, Console.Error, () => Netlink.Ipvs.IpvsClient.Open(),
                    Core.Backends.LocalBackend.StatePath, Core.Backends.LocalBackend.SocketPath).ConfigureAwait(false);
        }

        Console.Error.WriteLine(args.Length == 0
            ? $"usage: fusis balancer [options] | fusis agent [options] | fusis --version\n{BalancerHost.Usage}\n{Agent.AgentHost.Usage}"
            : $"fusis: unknown command '{string.Join(' ', args)}'. usage: fusis balancer [options] | fusis agent [options] | fusis --version");
        return UsageExitCode;
    }

    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
