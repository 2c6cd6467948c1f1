using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Bench;

/// <summary>
/// How each operation grows with the table, in one boot: at 22, 2,200, 22,000 and 220,000 objects (services x 10
/// destinations) it creates the table with Fusis and with ipvsadm -R, reads it with both, then starts `fusis
/// balancer` owning it and measures start to listening, a no-op full reconcile (its writes, beside one ipvsadm -Ln),
/// the daemon's RSS, and the cost of one API change (adding a destination, over the daemon's local socket: median of
/// 21). Prints a table, the change-cost ratios, the targets at the largest size, and writes growth.tsv for the plot.
/// </summary>
internal static class GrowthBenchmark
{
    private const int Destinations = 10;
    private const int Changes = 41;

    // The targets at the largest size (#19).
    private const double CreateTarget = 0.2;
    private const double ReadTarget = 0.6;
    private const double RssTargetMegabytes = 250;
    private const double ChangeTargetAtTenThousandTimes = 1.5;
    private const double ChangeTargetAtLargest = 2.0;

    public static int Run(string[] args)
    {
        string daemon = Environment.GetEnvironmentVariable("FUSISTEST_DAEMON")
            ?? throw new InvalidOperationException("FUSISTEST_DAEMON must be set (build.ps1 -Task Bench sets it)");
        int[] sizes = args.Length > 0 ? [.. args.Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [2, 200, 2000, 20000];
        Shell.Run("modprobe", "ip_vs");
        var rows = new List<GrowthRow>();
        foreach (int services in sizes)
        {
            GrowthRow row = Measure(services, daemon);
            rows.Add(row);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"growth: {row}"));
        }

        var report = new StringBuilder();
        report.Append("| operation | ").AppendJoin(" | ", rows.Select(r => $"{r.Objects:N0} objects")).Append(" | growth exponent (0 flat, 1 linear) |\n");
        report.Append("| --- |").Append(string.Concat(rows.Select(_ => " --- |"))).Append(" --- |\n");
        void Line(string name, Func<GrowthRow, double> value, string format)
        {
            report.Append(CultureInfo.InvariantCulture, $"| {name} | ").AppendJoin(" | ", rows.Select(r => value(r).ToString(format, CultureInfo.InvariantCulture)))
                .Append(CultureInfo.InvariantCulture, $" | {Exponent(rows, value):0.00} |\n");
        }

        Line("create, Fusis (s)", r => r.CreateFusis.TotalSeconds, "0.000");
        Line("create, ipvsadm -R (s)", r => r.CreateIpvsadm.TotalSeconds, "0.000");
        Line("read everything, Fusis (s)", r => r.ReadFusis.TotalSeconds, "0.000");
        Line("read everything, ipvsadm -Ln (s)", r => r.ReadIpvsadm.TotalSeconds, "0.000");
        Line("fusis balancer: start to converged and listening (s)", r => r.StartToListening.TotalSeconds, "0.0");
        Line("fusis balancer: no-op full reconcile (s)", r => r.NoOpReconcile.TotalSeconds, "0.000");
        Line("fusis balancer: RSS (MB)", r => r.RssMegabytes, "0.0");
        Line("one API change, add destination: median (ms)", r => r.ChangeMedian.TotalMilliseconds, "0.0");
        Line("one API change, add destination: max (ms)", r => r.ChangeMax.TotalMilliseconds, "0.0");
        Console.Write(report);

        GrowthRow smallest = rows[0], largest = rows[^1];
        bool met = true;
        foreach (GrowthRow row in rows.Skip(1))
        {
            double ratio = row.ChangeMedian / smallest.ChangeMedian;
            double target = row.Objects >= 100 * 1000 ? ChangeTargetAtLargest : row.Objects >= 1000 * smallest.Objects ? ChangeTargetAtTenThousandTimes : double.PositiveInfinity;
            met &= ratio <= target;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"change cost, add destination, {row.Objects:N0} vs {smallest.Objects:N0} objects: {ratio:0.00}x{(double.IsPositiveInfinity(target) ? "" : $" (target <= {target}x)")}"));
        }

        double create = largest.CreateFusis / largest.CreateIpvsadm, read = largest.ReadFusis / largest.ReadIpvsadm;
        double reconcileVsRead = largest.NoOpReconcile / largest.ReadIpvsadm;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            at {largest.Objects:N0} objects: create {create:0.000}x ipvsadm -R (target <= {CreateTarget}); read {read:0.000}x ipvsadm -Ln (target <= {ReadTarget});
            no-op reconcile {largest.NoOpWrites} writes, {largest.NoOpReconcile.TotalSeconds:0.000} s = {reconcileVsRead:0.00}x one ipvsadm -Ln (target: 0 writes, <= 1x);
            RSS {largest.RssMegabytes:0.0} MB (target <= {RssTargetMegabytes}); start to converged and listening {largest.StartToListening.TotalSeconds:0.0} s
            """));
        met &= create <= CreateTarget && read <= ReadTarget && largest.NoOpWrites == 0 && reconcileVsRead <= 1 && largest.RssMegabytes <= RssTargetMegabytes;

        string outDir = Environment.GetEnvironmentVariable("FUSISTEST_LAB_OUT") ?? Path.GetTempPath();
        File.WriteAllText(Path.Combine(outDir, "growth.md"), report.ToString());
        File.WriteAllLines(Path.Combine(outDir, "growth.tsv"),
            ["objects\tcreate_fusis\tcreate_ipvsadm\tread_fusis\tread_ipvsadm\tstart\treconcile\tchange_median", .. rows.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.Objects}\t{r.CreateFusis.TotalSeconds}\t{r.CreateIpvsadm.TotalSeconds}\t{r.ReadFusis.TotalSeconds}\t{r.ReadIpvsadm.TotalSeconds}\t{r.StartToListening.TotalSeconds}\t{r.NoOpReconcile.TotalSeconds}\t{r.ChangeMedian.TotalSeconds}"))]);
        Console.WriteLine(met ? "growth targets met" : "GROWTH TARGETS MISSED");
        return met ? 0 : 1;
    }

    private static GrowthRow Measure(int services, string daemon)
    {
        BenchTable table = BenchTable.Build(services, Destinations);
        int objects = table.Operations.Count;
        const string Fusis = "fusis-growth-a", Ipvsadm = "fusis-growth-b", Daemon = "fusis-growth-d";
        string folder = Directory.CreateTempSubdirectory("fusis-growth-").FullName;
        string rulesFile = Path.Combine(folder, "rules");
        File.WriteAllText(rulesFile, table.Rules);
        foreach (string ns in new[] { Fusis, Ipvsadm, Daemon })
        {
            Shell.Run("ip", $"netns add {ns}");
            Shell.Run("ip", $"netns exec {ns} ip link set lo up");
        }

        try
        {
            TimeSpan createFusis, readFusis;
            using (IpvsClient ipvs = IpvsClient.Open($"/run/netns/{Fusis}"))
            {
                var clock = Stopwatch.StartNew();
                if (ipvs.Apply(table.Operations).FirstOrDefault(r => !r.Succeeded) is { } failed)
                {
                    throw new InvalidOperationException($"Fusis could not create {failed.Operation}: {failed.Error!.Message}");
                }

                createFusis = clock.Elapsed;
                clock.Restart();
                int read = ipvs.GetServices().Sum(s => 1 + ipvs.GetDestinations(s.Key).Count);
                readFusis = clock.Elapsed;
                if (read != objects)
                {
                    throw new InvalidOperationException($"Fusis read back {read} objects, expected {objects}");
                }
            }

            TimeSpan createIpvsadm = Shell.Run("ip", $"netns exec {Ipvsadm} ipvsadm -R", rulesFile, TimeSpan.FromMinutes(30)).Elapsed;
            TimeSpan readIpvsadm = Shell.Run("ip", $"netns exec {Fusis} ipvsadm -Ln", timeout: TimeSpan.FromMinutes(30)).Elapsed;
            Shell.Run("ip", $"netns delete {Fusis}");
            Shell.Run("ip", $"netns delete {Ipvsadm}");

            (TimeSpan start, TimeSpan reconcile, long writes, double rss, List<TimeSpan> changes) = MeasureDaemon(daemon, Daemon, folder, table);
            changes.Sort();
            return new GrowthRow(objects, createFusis, createIpvsadm, readFusis, readIpvsadm, start, reconcile, writes, rss, changes[changes.Count / 2], changes[^1]);
        }
        finally
        {
            foreach (string ns in new[] { Fusis, Ipvsadm, Daemon })
            {
                Shell.Run("sh", $"-c 'ip netns delete {ns} 2>/dev/null || true'");
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    // `fusis balancer` owning the table: converged at start, then one no-op reconcile, then the changes, timed one by one.
    private static (TimeSpan Start, TimeSpan Reconcile, long Writes, double RssMegabytes, List<TimeSpan> Changes) MeasureDaemon(
        string daemon, string ns, string folder, BenchTable table)
    {
        string state = Path.Combine(folder, "state.json");
        FileDesiredStateStore.Write(state, table.Desired);
        var clock = Stopwatch.StartNew();
        using BenchDaemon balancer = BenchDaemon.Start(daemon, ns, state, Path.Combine(folder, "fusis.sock"), TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(20));
        TimeSpan start = clock.Elapsed;

        // The first periodic reconcile after the start's convergence: a no-op. Watched through /health (a scrape of
        // /metrics at this size writes 220,000 samples, and would be what is measured); the collection the daemon
        // runs after a full reconcile is given 5 s to finish before the RSS is read.
        BenchDaemon.Until(TimeSpan.FromMinutes(10), () => Reconciles(balancer.Get("/health")) >= 2, () => $"no reconcile after the start: {balancer.Log}");
        Thread.Sleep(TimeSpan.FromSeconds(5));
        long rss = balancer.Rss; // before the scrape, which holds the table while it writes
        string metrics = balancer.Get("/metrics");
        long writes = (long)BenchDaemon.Metric(metrics, "fusis_kernel_writes_total") - table.Operations.Count;
        TimeSpan reconcile = TimeSpan.FromSeconds(BenchDaemon.Metric(metrics, "fusis_reconcile_last_duration_seconds"));

        var changes = new List<TimeSpan>(Changes);
        int services = table.Desired.Services.Count;
        for (int i = 0; i < Changes; i++)
        {
            string service = table.Desired.Services[i * services / Changes].Name;
            using var body = new StringContent($$"""{"Address":"198.19.200.{{i + 1}}","Port":8080,"Mode":"nat"}""", Encoding.UTF8, "application/json");
            var one = Stopwatch.StartNew();
            using HttpResponseMessage response = balancer.Http.PostAsync(new Uri($"/services/{service}/destinations", UriKind.Relative), body).GetAwaiter().GetResult();
            changes.Add(one.Elapsed);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"adding a destination to {service}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
            }
        }

        long added = Shell.Run("ip", $"netns exec {ns} ipvsadm -Ln", timeout: TimeSpan.FromMinutes(30)).Stdout.Split('\n').Count(l => l.Contains("198.19.200.", StringComparison.Ordinal));
        if (added != Changes)
        {
            throw new InvalidOperationException($"{added} of the {Changes} added destinations are in the kernel");
        }

        return (start, reconcile, writes, rss / 1048576.0, changes);
    }

    // How the time grows with the table: the slope of log(time) over log(objects) between the smallest and largest.
    private static double Exponent(List<GrowthRow> rows, Func<GrowthRow, double> value) =>
        Math.Log(Math.Max(value(rows[^1]), 1e-9) / Math.Max(value(rows[0]), 1e-9)) / Math.Log((double)rows[^1].Objects / rows[0].Objects);

    private static long Reconciles(string health) =>
        System.Text.Json.JsonDocument.Parse(health).RootElement.GetProperty("Reconciles").GetInt64();
}
