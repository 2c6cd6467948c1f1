using System.Reflection;

namespace Fusis.Daemon;

/// <summary>The <c>fusis</c> executable. Its commands (<c>balancer</c>, <c>agent</c>) arrive with the daemon issues.</summary>
public static class Program
{
    /// <summary>Exit code for a command line that names no known command (as sysexits' EX_USAGE).</summary>
    public const int UsageExitCode = 64;

    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--version"])
        {
            Console.Out.WriteLine(Version);
            return 0;
        }

        Console.Error.WriteLine(args.Length == 0
            ? "usage: fusis --version"
            : $"fusis: unknown command '{string.Join(' ', args)}'. usage: fusis --version");
        return UsageExitCode;
    }

    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
