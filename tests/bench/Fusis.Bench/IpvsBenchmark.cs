using System.Diagnostics;
using System.Globalization;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Bench;

/// <summary>
/// Creates N services x M destinations through Fusis (one pipelined batch) and through `ipvsadm -R`, each in a
/// fresh network namespace of the same lab kernel, checks both tables are identical, then reads everything back
/// with Fusis and with `ipvsadm -Ln`. Reports wall-time ratios and netlink syscalls per 1,000 objects
/// (Fusis counts its own; ipvsadm's are counted by strace in a separate, untimed run).
/// </summary>
internal static class IpvsBenchmark
{
    public static int Run(string[] args)
    {
        int services = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        int destinations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        string outDir = Environment.GetEnvironmentVariable("FUSISTEST_LAB_OUT") ?? Path.GetTempPath();
        int objects = services * (destinations + 1);

        var built = BenchTable.Build(services, destinations);
        IReadOnlyList<IpvsOperation> operations = built.Operations;
        string rules = built.Rules;

        string rulesFile = Path.Combine(Path.GetTempPath(), "fusis-bench.rules");
        File.WriteAllText(rulesFile, rules);
        Shell.Run("modprobe", "ip_vs");
        const string Fusis = "fusis-bench-a", Ipvsadm = "fusis-bench-b", Strace = "fusis-bench-c", Import = "fusis-bench-d";
        foreach (string ns in new[] { Fusis, Ipvsadm, Strace, Import })
        {
            Shell.Run("ip", $"netns add {ns}");
            Shell.Run("ip", $"netns exec {ns} ip link set lo up"); // without it no address is unicast and IPVS refuses destinations
        }

        Console.WriteLine($"benchmark: {services} services x {destinations} destinations = {objects} objects, kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}");
        if (Environment.GetEnvironmentVariable("FUSISTEST_BENCH_SCALE_ONLY") == "1")
        {
            Console.Write(ScaleBenchmark.Run(built.Desired, rulesFile, TimeSpan.FromSeconds(1)));
            return 0;
        }

        // create: Fusis
        using IpvsClient ipvs = IpvsClient.Open($"/run/netns/{Fusis}");
        long sends0 = ipvs.Channel.Transport.SendCalls, receives0 = ipvs.Channel.Transport.ReceiveCalls;
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<IpvsOperationResult> results = ipvs.Apply(operations);
        TimeSpan fusisCreate = stopwatch.Elapsed;
        long fusisCreateCalls = ipvs.Channel.Transport.SendCalls - sends0 + ipvs.Channel.Transport.ReceiveCalls - receives0;
        int failed = results.Count(r => !r.Succeeded);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} Fusis operations failed, first: {results.First(r => !r.Succeeded).Error!.Message}");
        }

        // create: ipvsadm -R (timed), then again under strace in another namespace to count its syscalls
        TimeSpan ipvsadmCreate = Shell.Run("ip", $"netns exec {Ipvsadm} ipvsadm -R", rulesFile).Elapsed;
        long ipvsadmCreateCalls = CountNetlinkSyscalls(Strace, "-R", rulesFile);

        string fusisSave = Sorted(Shell.Run("ip", $"netns exec {Fusis} ipvsadm -S -n").Stdout);
        string ipvsadmSave = Sorted(Shell.Run("ip", $"netns exec {Ipvsadm} ipvsadm -S -n").Stdout);
        if (fusisSave != ipvsadmSave || fusisSave.Split('\n').Length != objects)
        {
            throw new InvalidOperationException("the tables written by Fusis and by ipvsadm differ");
        }

        // read-back: Fusis (services, then each service's destinations) vs ipvsadm -Ln, same table
        sends0 = ipvs.Channel.Transport.SendCalls;
        receives0 = ipvs.Channel.Transport.ReceiveCalls;
        stopwatch.Restart();
        int read = 0;
        foreach (IpvsService service in ipvs.GetServices())
        {
            read += 1 + ipvs.GetDestinations(service.Key).Count;
        }

        TimeSpan fusisRead = stopwatch.Elapsed;
        long fusisReadCalls = ipvs.Channel.Transport.SendCalls - sends0 + ipvs.Channel.Transport.ReceiveCalls - receives0;
        if (read != objects)
        {
            throw new InvalidOperationException($"Fusis read back {read} objects, expected {objects}");
        }

        TimeSpan ipvsadmRead = Shell.Run("ip", $"netns exec {Fusis} ipvsadm -Ln").Elapsed;
        long ipvsadmReadCalls = CountNetlinkSyscalls(Fusis, "-Ln", null);

        double per1000(long calls) => calls * 1000.0 / objects;
        string report = string.Create(CultureInfo.InvariantCulture, $"""
            ipvsadm is timed as a process (its start included: ~ms native, more under emulation); Fusis's Core steps in this process, the cmdlet and daemon rows as processes too.
            | step | Fusis | ipvsadm | ratio (Fusis / ipvsadm) | target |
            | --- | --- | --- | --- | --- |
            | create {objects} objects | {fusisCreate.TotalSeconds:0.000} s | {ipvsadmCreate.TotalSeconds:0.000} s (ipvsadm -R) | {fusisCreate / ipvsadmCreate:0.000} | <= 0.5 |
            | create: netlink syscalls per 1,000 objects | {per1000(fusisCreateCalls):0.0} | {per1000(ipvsadmCreateCalls):0.0} | | <= 20 |
            | read back everything | {fusisRead.TotalSeconds:0.000} s | {ipvsadmRead.TotalSeconds:0.000} s (ipvsadm -Ln) | {fusisRead / ipvsadmRead:0.000} | <= 1.0 |
            | read: netlink syscalls per 1,000 objects | {per1000(fusisReadCalls):0.0} | {per1000(ipvsadmReadCalls):0.0} | | |
            """);
        Console.WriteLine(report);
        File.WriteAllText(Path.Combine(outDir, "bench.md"), report + "\n");
        Console.WriteLine("both tables identical (ipvsadm -S -n), every object read back");
        // import: the same rules text parsed and reconciled as a desired state (what Import-FusisConfiguration
        // does), then a second, no-op reconcile of the converged table
        using IpvsClient importer = IpvsClient.Open($"/run/netns/{Import}");
        stopwatch.Restart();
        IpvsTable table = IpvsadmRules.Parse(rules);
        var desired = new DesiredState(
            table.Services.Select((s, i) => new DesiredService($"svc-{i}", s.Service, s.Destinations)).ToList(), []);
        ReconcileResult imported = Reconciler.Reconcile(desired, importer);
        TimeSpan importTime = stopwatch.Elapsed;
        if (!imported.Succeeded || imported.Results.Count != objects)
        {
            throw new InvalidOperationException($"import applied {imported.Results.Count(r => r.Succeeded)} of {objects} operations");
        }

        long importSends = importer.Channel.Transport.SendCalls;
        stopwatch.Restart();
        ReconcileResult idle = Reconciler.Reconcile(desired, importer);
        TimeSpan idleTime = stopwatch.Elapsed;
        long idleSends = importer.Channel.Transport.SendCalls - importSends;
        if (idle.Results.Count != 0)
        {
            throw new InvalidOperationException($"a reconcile of the converged table planned {idle.Results.Count} operations");
        }

        string importReport = string.Create(CultureInfo.InvariantCulture, $"""
            | import the same rules as a desired state (parse + plan + apply) | {importTime.TotalSeconds:0.000} s | {ipvsadmCreate.TotalSeconds:0.000} s (ipvsadm -R) | {importTime / ipvsadmCreate:0.000} | |
            | no-op full reconcile of the converged table | {idleTime.TotalSeconds:0.000} s, 0 writes, {idleSends} dump requests ({services} destination dumps + 1) | | | 0 writes |
            """);
        Console.WriteLine(importReport);
        File.AppendAllText(Path.Combine(outDir, "bench.md"), importReport + "\n");
        string scaleReport = ScaleBenchmark.Run(desired, rulesFile, ipvsadmCreate);
        Console.Write(scaleReport);
        File.AppendAllText(Path.Combine(outDir, "bench.md"), scaleReport);

        foreach (string ns in new[] { Fusis, Ipvsadm, Strace, Import })
        {
            Shell.Run("ip", $"netns delete {ns}");
        }

        bool met = fusisCreate / ipvsadmCreate <= 0.5 && per1000(fusisCreateCalls) <= 20 && fusisRead / ipvsadmRead <= 1.0 && ScaleBenchmark.TargetsMet;
        Console.WriteLine(met ? "targets met" : "TARGETS MISSED");
        return met ? 0 : 1;
    }

    private static string Sorted(string text) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

    // `strace -c` writes a table; sum the calls column of the netlink send/receive rows.
    private static long CountNetlinkSyscalls(string ns, string ipvsadmArguments, string? stdinFile)
    {
        string summary = Path.Combine(Path.GetTempPath(), "fusis-bench.strace");
        Shell.Run("ip", $"netns exec {ns} strace -f -c -o {summary} -e trace=sendmsg,recvmsg,sendto,recvfrom ipvsadm {ipvsadmArguments}", stdinFile);
        long calls = 0;
        foreach (string line in File.ReadAllLines(summary))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[^1] is "sendmsg" or "recvmsg" or "sendto" or "recvfrom")
            {
                calls += long.Parse(fields[3], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }
}
