using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fusis.Core.State;

namespace Fusis.Bench;

/// <summary>
/// The same 2,000 x 10 configuration through the product's front ends, in the lab: Import-FusisConfiguration (the
/// cmdlet, in pwsh) beside ipvsadm -R; then `fusis balancer` owning it: its RSS and the time of a no-op full
/// reconcile (from its /metrics), which must write nothing.
/// </summary>
internal static class ScaleBenchmark
{
    /// <summary>The import cmdlet's ratio against ipvsadm -R may not grow past what it was before the engine took it over (#12).</summary>
    public const double ImportTarget = 0.65;

    // Fresh pwsh sessions timed importing (the ratio takes their median).
    private const int ImportSessions = 3;

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

        const string Daemon = "fusis-bench-g";
        string[] cmdlets = [.. Enumerable.Range(1, ImportSessions).Select(i => $"fusis-bench-f{i}")];
        foreach (string ns in cmdlets.Append(Daemon))
        {
            Shell.Run("ip", $"netns add {ns}");
            Shell.Run("ip", $"netns exec {ns} ip link set lo up");
        }

        try
        {
            // The cmdlet, in fresh pwsh sessions, each importing into an empty table: pwsh's start is not timed, only the
            // import (Measure-Command inside the session). The first session of the boot also reads pwsh's and the
            // module's files through the lab's 9p root; the ratio takes the median.
            var imports = new List<double>();
            foreach (string ns in cmdlets)
            {
                string state = Path.Combine(Path.GetTempPath(), $"{ns}.json");
                string script = $"$env:FUSIS_STATE_PATH = '{state}'; $env:FUSIS_SOCKET = '{state}.sock'; Import-Module '{manifest}'; " +
                    $"(Measure-Command {{ Import-FusisConfiguration '{rulesFile}' -Format Ipvsadm -Confirm:$false -ProgressAction SilentlyContinue }}).TotalSeconds";
                var pwsh = new ProcessStartInfo("ip", ["netns", "exec", ns, "dotnet", "pwsh", "-NoProfile", "-NonInteractive", "-Command", script])
                {
                    RedirectStandardOutput = true,
                };
                using Process session = Process.Start(pwsh) ?? throw new InvalidOperationException("cannot start pwsh");
                string seconds = session.StandardOutput.ReadToEnd();
                if (!session.WaitForExit(TimeSpan.FromMinutes(15)) || session.ExitCode != 0)
                {
                    throw new InvalidOperationException($"Import-FusisConfiguration in pwsh failed: {seconds}");
                }

                imports.Add(double.Parse(seconds.Trim().Split('\n')[^1], CultureInfo.InvariantCulture));
            }

            double cmdlet = imports.Order().ElementAt(imports.Count / 2);
            bool importMet = cmdlet / ipvsadmCreate.TotalSeconds <= ImportTarget;
            report.Append(CultureInfo.InvariantCulture,
                $"| Import-FusisConfiguration (cmdlet) of the ipvsadm rules, median of {imports.Count} fresh sessions ({string.Join(", ", imports.Select(i => i.ToString("0.000", CultureInfo.InvariantCulture)))} s) | {cmdlet:0.000} s | {ipvsadmCreate.TotalSeconds:0.000} s (ipvsadm -R) | {cmdlet / ipvsadmCreate.TotalSeconds:0.000} | <= {ImportTarget} |\n");

            // The daemon owning the same state: it converges at start, then reconciles every 5 s.
            string daemonState = Path.Combine(Path.GetTempPath(), "fusis-bench-daemon.json");
            FileDesiredStateStore.Write(daemonState, desired);
            var clock = Stopwatch.StartNew();
            using BenchDaemon balancer = BenchDaemon.Start(daemon, Daemon, daemonState, daemonState + ".sock", TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10),
                (Environment.GetEnvironmentVariable("FUSISTEST_BENCH_DAEMON_ENV") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries));
            TimeSpan ready = clock.Elapsed;
            Thread.Sleep(TimeSpan.FromSeconds(12)); // two reconcile periods
            long rss = balancer.Rss; // before any /metrics scrape, which holds the whole table while it writes
            string after = balancer.Get("/metrics");
            double reconciles = BenchDaemon.Metric(after, "fusis_reconciles_total");
            double writes = BenchDaemon.Metric(after, "fusis_kernel_writes_total") - desired.Services.Sum(s => 1 + s.Destinations.Count);
            double last = BenchDaemon.Metric(after, "fusis_reconcile_last_duration_seconds");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"daemon memory: RSS {rss / 1048576.0:0.0} MB, managed heap {BenchDaemon.Metric(after, "dotnet_gc_heap_bytes") / 1048576.0:0.0} MB, GC committed {BenchDaemon.Metric(after, "dotnet_gc_committed_bytes") / 1048576.0:0.0} MB"));
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
            foreach (string ns in cmdlets.Append(Daemon))
            {
                Shell.Run("ip", $"netns delete {ns}");
            }
        }

        report.Append(ChangeLoopBenchmark.Run(manifest, daemon));
        return report.ToString();
    }
}
