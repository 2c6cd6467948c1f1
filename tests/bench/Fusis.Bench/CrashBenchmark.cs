using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Fusis.Core.State;

namespace Fusis.Bench;

/// <summary>
/// kill -9 of `fusis balancer` at a random moment of a burst of API writes (services created, destinations added),
/// twenty times over one state file and one kernel table. After each restart: every write the API acknowledged is in
/// the store (the state file, read as the daemon reads it) and in the kernel (ipvsadm -S -n), and the two hold the
/// same services with the same destinations. A write in flight at the kill may land or not; either way they agree.
/// </summary>
internal static partial class CrashBenchmark
{
    private const int Kills = 20;
    private const string Namespace = "fusis-crash";

    // Numbers every write of the run, so each creates its own service or destination.
    private static int _writes;

    public static int Run(string[] args)
    {
        string daemon = Environment.GetEnvironmentVariable("FUSISTEST_DAEMON")
            ?? throw new InvalidOperationException("FUSISTEST_DAEMON must be set (build.ps1 -Task Bench sets it)");
        int seed = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : Environment.TickCount;
        var random = new Random(seed);
        string folder = Directory.CreateTempSubdirectory("fusis-crash-").FullName;
        string state = Path.Combine(folder, "state.json"), socket = Path.Combine(folder, "fusis.sock");
        Shell.Run("modprobe", "ip_vs");
        Shell.Run("ip", $"netns add {Namespace}");
        Shell.Run("ip", $"netns exec {Namespace} ip link set lo up");
        var acknowledged = new List<string>(); // "vip:port" or "vip:port real:port"
        var services = new List<string>();
        int sent = 0, inFlight = 0, landedAnyway = 0;
        var killedAfter = new List<int>();
        try
        {
            for (int round = 0; round <= Kills; round++)
            {
                using BenchDaemon balancer = BenchDaemon.Start(daemon, Namespace, state, socket, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
                (int stored, int unacknowledgedLanded) = Verify(state, acknowledged, services);
                landedAnyway += unacknowledgedLanded;
                if (round == Kills)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"crash test (seed {seed}): {Kills} kill -9s at {string.Join(", ", killedAfter)} ms into bursts; {sent} writes sent, {acknowledged.Count} acknowledged, " +
                        $"{inFlight} in flight at a kill ({landedAnyway} of them landed); after every restart all acknowledged writes were in the store and the kernel, " +
                        $"which agreed ({stored} services)"));
                    break;
                }

                using var stop = new CancellationTokenSource();
                Task<(int Sent, bool Interrupted)> burst = Task.Run(() => Burst(balancer, acknowledged, services, stop.Token));
                int after = random.Next(50, 1500);
                Thread.Sleep(after);
                balancer.Kill();
                killedAfter.Add(after);
                stop.Cancel();
                (int burstSent, bool interrupted) = burst.GetAwaiter().GetResult();
                sent += burstSent;
                inFlight += interrupted ? 1 : 0;
            }

            Console.WriteLine("crash test passed");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"CRASH TEST FAILED (seed {seed}): {e.Message}");
            return 1;
        }
        finally
        {
            Shell.Run("ip", $"netns delete {Namespace}");
            Directory.Delete(folder, recursive: true);
        }
    }

    // Writes one after another until the daemon dies: a new service every third write, else a destination for one.
    private static (int Sent, bool Interrupted) Burst(BenchDaemon balancer, List<string> acknowledged, List<string> services, CancellationToken stop)
    {
        int sent = 0;
        while (!stop.IsCancellationRequested)
        {
            int n = Interlocked.Increment(ref _writes);
            string path, body, change;
            if (services.Count == 0 || n % 3 == 0)
            {
                var vip = new IPAddress([198, 18, (byte)(100 + (n / 250)), (byte)((n % 250) + 1)]);
                path = "/services";
                body = $$"""{"Name":"crash-{{n}}","Protocol":"tcp","Address":"{{vip}}","Port":80,"Scheduler":"rr"}""";
                change = $"{vip}:80";
            }
            else
            {
                string service = services[n % services.Count];
                var real = new IPAddress([198, 19, (byte)(50 + (n / 250)), (byte)((n % 250) + 1)]);
                path = $"/services/crash-{ServiceNumber(service)}/destinations";
                body = $$"""{"Address":"{{real}}","Port":8080,"Mode":"nat"}""";
                change = $"{service} {real}:8080";
            }

            sent++;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using HttpResponseMessage response = balancer.Http.PostAsync(new Uri(path, UriKind.Relative), content, CancellationToken.None).GetAwaiter().GetResult();
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"{path} {body}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                return (sent, Interrupted: true); // the kill: this write was not acknowledged
            }

            lock (acknowledged)
            {
                acknowledged.Add(change);
                if (!change.Contains(' ', StringComparison.Ordinal))
                {
                    services.Add(change);
                }
            }
        }

        return (sent, Interrupted: false);
    }

    // Every acknowledged write in the store and the kernel, and the two the same; returns the services stored and how
    // many writes landed without an acknowledgement (in flight at a kill).
    private static (int Stored, int Unacknowledged) Verify(string state, List<string> acknowledged, List<string> services)
    {
        DesiredState saved = FileDesiredStateStore.Read(state);
        var store = new SortedSet<string>(StringComparer.Ordinal);
        foreach (DesiredService service in saved.Services)
        {
            string key = $"{service.Key.Address}:{service.Key.Port}";
            store.Add(key);
            store.UnionWith(service.Destinations.Select(d => $"{key} {d.Address}:{d.Port}"));
        }

        var kernel = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match line in SavedRule().Matches(Shell.Run("ip", $"netns exec {Namespace} ipvsadm -S -n").Stdout))
        {
            kernel.Add(line.Groups["real"].Success ? $"{line.Groups["vip"].Value} {line.Groups["real"].Value}" : line.Groups["vip"].Value);
        }

        if (!store.SetEquals(kernel))
        {
            throw new InvalidOperationException($"store and kernel differ: only in the store {string.Join(", ", store.Except(kernel))}; only in the kernel {string.Join(", ", kernel.Except(store))}");
        }

        List<string> lost = [.. acknowledged.Where(a => !store.Contains(a))];
        if (lost.Count > 0)
        {
            throw new InvalidOperationException($"{lost.Count} acknowledged writes are gone after a restart: {string.Join(", ", lost.Take(10))}");
        }

        // What landed without an acknowledgement counts from now on, as a client that read the state would see it.
        List<string> landed = [.. store.Where(s => !acknowledged.Contains(s))];
        acknowledged.AddRange(landed);
        services.AddRange(landed.Where(s => !s.Contains(' ', StringComparison.Ordinal)));
        int unacknowledged = landed.Count;
        return (saved.Services.Count, unacknowledged);
    }

    // The n of service "198.18.x.y:80" (its name is crash-n): the inverse of the addresses Burst gives.
    private static int ServiceNumber(string service)
    {
        byte[] vip = IPAddress.Parse(service[..service.IndexOf(':', StringComparison.Ordinal)]).GetAddressBytes();
        return ((vip[2] - 100) * 250) + vip[3] - 1;
    }

    [GeneratedRegex(@"^-[Aa] -t (?<vip>\S+)(?: -r (?<real>\S+))?", RegexOptions.Multiline)]
    private static partial Regex SavedRule();
}
