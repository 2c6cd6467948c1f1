using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Fusis.Core.State;

namespace Fusis.Bench;

/// <summary>
/// The same 2,000 x 10 configuration through the product's front ends, in the lab: Import-FusisConfiguration (the
/// cmdlet, in pwsh) beside ipvsadm -R; then `fusis balancer` owning it: its RSS and the time of a no-op full
/// reconcile (from its /metrics), which must write nothing.
/// </summary>
internal static partial class ScaleBenchmark
{
    /// <summary>The import cmdlet's ratio against ipvsadm -R may not grow past what it was before the engine took it over (#12).</summary>
    public const double ImportTarget = 0.65;

    /// <summary>The daemon's resident memory owning the 2,000 x 10 table, after start-up and no-op reconciles.</summary>
    public const double RssTargetMegabytes = 100;

    /// <summary>Whether the last run met <see cref="ImportTarget"/> and <see cref="RssTargetMegabytes"/>.</summary>
    public static bool TargetsMet { get; private set; }

    public static string Run(DesiredState desired, string rulesFile, TimeSpan ipvsadmCreate)
    {
        var report = new StringBuilder();
        string? manifest = Environment.GetEnvironmentVariable("FUSISTEST_MODULE_MANIFEST");
        string? daemon = Environment.GetEnvironmentVariable("FUSISTEST_DAEMON");
        if (manifest is null || daemon is null)
        {
            throw new InvalidOperationException("FUSISTEST_MODULE_MANIFEST and FUSISTEST_DAEMON must be set (build.ps1 -Task Bench sets them)");
        }

        const string Cmdlet = "fusis-bench-f", Daemon = "fusis-bench-g";
        foreach (string ns in new[] { Cmdlet, Daemon })
        {
            Shell.Run("ip", $"netns add {ns}");
            Shell.Run("ip", $"netns exec {ns} ip link set lo up");
        }

        try
        {
            // The cmdlet: pwsh's start is not timed, only the import (Measure-Command inside the session).
            string state = Path.Combine(Path.GetTempPath(), "fusis-bench-cmdlet.json");
            string script = $"$env:FUSIS_STATE_PATH = '{state}'; $env:FUSIS_SOCKET = '{state}.sock'; Import-Module '{manifest}'; " +
                $"(Measure-Command {{ Import-FusisConfiguration '{rulesFile}' -Format Ipvsadm -Confirm:$false -ProgressAction SilentlyContinue }}).TotalSeconds";
            var pwsh = new ProcessStartInfo("ip", ["netns", "exec", Cmdlet, "dotnet", "pwsh", "-NoProfile", "-NonInteractive", "-Command", script])
            {
                RedirectStandardOutput = true,
            };
            using Process session = Process.Start(pwsh) ?? throw new InvalidOperationException("cannot start pwsh");
            string seconds = session.StandardOutput.ReadToEnd();
            if (!session.WaitForExit(TimeSpan.FromMinutes(15)) || session.ExitCode != 0)
            {
                throw new InvalidOperationException($"Import-FusisConfiguration in pwsh failed: {seconds}");
            }

            double cmdlet = double.Parse(seconds.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
            bool importMet = cmdlet / ipvsadmCreate.TotalSeconds <= ImportTarget;
            report.Append(CultureInfo.InvariantCulture, $"| Import-FusisConfiguration (cmdlet) of the ipvsadm rules | {cmdlet:0.000} s | {ipvsadmCreate.TotalSeconds:0.000} s (ipvsadm -R) | {cmdlet / ipvsadmCreate.TotalSeconds:0.000} | <= {ImportTarget} |\n");

            // The daemon owning the same state: it converges at start, then reconciles every 5 s.
            string daemonState = Path.Combine(Path.GetTempPath(), "fusis-bench-daemon.json");
            FileDesiredStateStore.Write(daemonState, desired);
            var info = new ProcessStartInfo("ip", ["netns", "exec", Daemon, daemon, "balancer", "--listen", "127.0.0.1:18000", "--state", daemonState, "--local-socket", daemonState + ".sock", "--reconcile-interval", "00:00:05"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string setting in (Environment.GetEnvironmentVariable("FUSISTEST_BENCH_DAEMON_ENV") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                info.Environment[setting[..setting.IndexOf('=', StringComparison.Ordinal)]] = setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
            using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the daemon");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                var clock = Stopwatch.StartNew();
                WaitFor(Daemon, "/health", TimeSpan.FromMinutes(10));
                TimeSpan ready = clock.Elapsed;
                Thread.Sleep(TimeSpan.FromSeconds(12)); // two reconcile periods
                long rss = Rss(process.Id); // before any /metrics scrape, which holds the whole table while it writes
                string after = Shell.Run("ip", $"netns exec {Daemon} curl -sf http://127.0.0.1:18000/metrics").Stdout;
                double reconciles = Metric(after, "fusis_reconciles_total");
                double writes = Metric(after, "fusis_kernel_writes_total") - desired.Services.Sum(s => 1 + s.Destinations.Count);
                double last = Metric(after, "fusis_reconcile_last_duration_seconds");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"daemon memory: RSS {rss / 1048576.0:0.0} MB, managed heap {Metric(after, "dotnet_gc_heap_bytes") / 1048576.0:0.0} MB, GC committed {Metric(after, "dotnet_gc_committed_bytes") / 1048576.0:0.0} MB"));
                report.Append(CultureInfo.InvariantCulture, $"| fusis balancer: start to converged and listening ({desired.Services.Sum(s => 1 + s.Destinations.Count)} kernel writes) | {ready.TotalSeconds:0.0} s | | | |\n");
                report.Append(CultureInfo.InvariantCulture, $"| fusis balancer: no-op full reconcile ({reconciles - 1:0} after the start, {writes:0} writes) | {last:0.000} s | | | 0 writes |\n");
                report.Append(CultureInfo.InvariantCulture, $"| fusis balancer: RSS owning {desired.Services.Count} services x {desired.Services[0].Destinations.Count} destinations | {rss / 1024.0 / 1024.0:0.0} MB | | | <= {RssTargetMegabytes} MB |\n");
                TargetsMet = importMet && rss / 1048576.0 <= RssTargetMegabytes;
                if (writes != 0 || reconciles < 2)
                {
                    throw new InvalidOperationException($"the daemon's no-op reconciles wrote {writes} times ({reconciles} reconciles)");
                }
            }
            finally
            {
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            foreach (string ns in new[] { Cmdlet, Daemon })
            {
                Shell.Run("ip", $"netns delete {ns}");
            }
        }

        report.Append(ChangeLoopBenchmark.Run(manifest, daemon));
        return report.ToString();
    }

    private static void WaitFor(string ns, string path, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                Shell.Run("ip", $"netns exec {ns} curl -sf http://127.0.0.1:18000{path}");
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }

    private static double Metric(string text, string name) =>
        double.Parse(Regex.Match(text, $"^{name} (\\S+)$", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);

    // VmRSS of the daemon (ip netns exec replaced itself with it, so the pid is the daemon's).
    private static long Rss(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture) * 1024;
}
