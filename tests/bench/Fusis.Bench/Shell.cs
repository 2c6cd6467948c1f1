using System.Diagnostics;

namespace Fusis.Bench;

/// <summary>Runs a program to completion, bounded in time; fails loudly on a non-zero exit.</summary>
internal static class Shell
{
    public static (string Stdout, TimeSpan Elapsed) Run(string program, string arguments, string? stdinFile = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("sh", ["-c", stdinFile is null ? $"exec {program} {arguments}" : $"exec {program} {arguments} < {stdinFile}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{program} {arguments}' did not finish in time");
        }

        stopwatch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {arguments}' exited {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return (stdout.Result, stopwatch.Elapsed);
    }
}
