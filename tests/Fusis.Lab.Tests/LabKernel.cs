using System.Diagnostics;

namespace Fusis.Lab.Tests;

/// <summary>
/// Access to the lab's kernel. These tests exist to prove behaviour against real IPVS, so a kernel
/// without it is a failure, never a skip: run them through <c>build.ps1 -Task Test</c>, which boots the lab.
/// </summary>
internal static class LabKernel
{
    public const string ProcNetIpVs = "/proc/net/ip_vs";

    /// <summary>Loads ip_vs if needed; fails the test when this kernel has no IPVS.</summary>
    public static void RequireIpvs()
    {
        if (!File.Exists(ProcNetIpVs))
        {
            Run("modprobe", "ip_vs", check: false);
        }

        if (!File.Exists(ProcNetIpVs))
        {
            Assert.Fail($"{ProcNetIpVs} is missing after 'modprobe ip_vs': this kernel has no IPVS. " +
                "Kernel tests run inside the lab VM (build.ps1 -Task Test); outside it they fail by design.");
        }
    }

    /// <summary>Runs a program to completion (bounded by <paramref name="timeout"/>) and returns its stdout.</summary>
    public static string Run(string program, string arguments, bool check = true, TimeSpan? timeout = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{program} {arguments}' did not finish in time");
        }

        if (check && process.ExitCode != 0)
        {
            Assert.Fail($"'{program} {arguments}' exited {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout.Result;
    }
}
