using System.Diagnostics;
using System.Net;

namespace Fusis.Lab.Tests;

/// <summary>
/// Chaos under load (#18), with requests through a VIP all along (a new connection every ~50 ms from the client):
/// the balancer's serf agent killed and restarted (the routes stay; the balancer joins the new agent to the members it
/// knew and follows its events), then each backend's HTTP server, agent and serf stopped in every order, three backends at a
/// time (b4 never stops). The window from a backend's HTTP server stopping to its leaving the rotation (health check,
/// drain or Serf, whichever comes first) is reported per order and bounded; a request fails only while a dead backend
/// is still in the table.
/// </summary>
public sealed class ChaosLabTests
{
    private const string Vip = "198.18.100.1";
    private const string Services = "web:8080";
    private static readonly TimeSpan Detection = TimeSpan.FromSeconds(10); // generous for the emulated lab: the check alone is 500 ms x fall 3
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SerfOutage = TimeSpan.FromSeconds(10);

    // Every order of the three, split in two waves over b1, b2 and b3.
    private static readonly string[][][] Waves =
    [
        [["http", "agent", "serf"], ["agent", "serf", "http"], ["serf", "http", "agent"]],
        [["http", "serf", "agent"], ["agent", "http", "serf"], ["serf", "agent", "http"]],
    ];

    [Fact]
    public void The_balancers_serf_restarting_and_backends_stopping_in_every_order_fail_requests_only_inside_the_detection_window()
    {
        using var lab = new ClusterLab();
        lab.StartBalancer();
        lab.Send(HttpMethod.Post, "/services", """{"Name":"web","Port":80,"Protocol":"tcp","Scheduler":"rr"}""", HttpStatusCode.Created);
        lab.Send(HttpMethod.Post, "/services/web/check", """{"Type":"http","Path":"/","Interval":"500ms","Timeout":"400ms","Rise":2,"Fall":3,"Action":"remove"}""", HttpStatusCode.OK);
        for (int n = 1; n <= 4; n++)
        {
            lab.AddBackend(n, Services);
        }

        ClusterLab.WaitFor("four backends routable", TimeSpan.FromSeconds(120), () => Routable(lab.Table()).Count == 4, () => lab.Log);
        using var traffic = new Traffic(lab);

        // The balancer's serf agent dies; a new one starts, which knows nobody until it is joined (the balancer does, to
        // the members it last saw) or the backends' agents find it again.
        string table = lab.Table();
        int logMark = lab.Log.Length;
        var clock = Stopwatch.StartNew();
        lab.Kill("serf-lb");
        while (clock.Elapsed < SerfOutage)
        {
            Assert.True(lab.Table() == table, $"the table changed while the balancer's serf was down\n{lab.Log[logMark..]}");
            Thread.Sleep(1000);
        }

        lab.StartBalancerSerf();
        clock.Restart();
        ClusterLab.WaitFor("the new serf agent to know b1-b4 again", TimeSpan.FromSeconds(60),
            () => new[] { "b1", "b2", "b3", "b4" }.All(ClusterLab.BalancerSerfMembers().Contains), () => lab.Log[logMark..]);
        TimeSpan rejoined = clock.Elapsed;
        int rejoinedMark = lab.Log.Length;
        Thread.Sleep(3000); // a resync over the new agent (every 5 s, counted from the last)
        Assert.True(lab.Table() == table, $"the table changed after the balancer's serf came back\n{lab.Log[logMark..]}");
        Assert.Contains("the Serf agent was joined to", lab.Log[logMark..], StringComparison.Ordinal);
        Console.WriteLine($"  balancer's serf killed for {SerfOutage.TotalSeconds:0} s, then a new one: routes unchanged throughout, the new agent joined to b1-b4 after {rejoined.TotalSeconds:0.0} s; {traffic.Failures(0).Count} requests failed meanwhile");
        Assert.Empty(traffic.Failures(0));

        // Three backends at a time, each stopping its three parts in its own order; b4 serves throughout.
        foreach (string[][] wave in Waves)
        {
            long start = Stopwatch.GetTimestamp();
            var dead = new long[4]; // when backend N's HTTP server stopped
            using var watch = new RoutabilityWatch(lab);
            for (int step = 0; step < 3; step++)
            {
                for (int b = 1; b <= 3; b++)
                {
                    string part = wave[b - 1][step];
                    if (part == "http")
                    {
                        dead[b] = Stopwatch.GetTimestamp(); // before the kill: a request sent while it dies may fail
                        lab.Kill($"http-b{b}");
                    }
                    else
                    {
                        lab.Stop($"{part}-b{b}");
                    }
                }

                Thread.Sleep(Spacing);
            }

            for (int b = 1; b <= 3; b++)
            {
                Assert.True(lab.WaitForExit($"agent-b{b}", TimeSpan.FromSeconds(60)), $"b{b}'s agent did not stop\n{lab.Log}");
            }

            ClusterLab.WaitFor("only b4 routable", Detection, () => Routable(lab.Table()).SequenceEqual(["198.18.2.14"]), () => lab.Table());
            Thread.Sleep(Spacing); // the watch goes on a little, to see draining destinations deleted
            IReadOnlyDictionary<string, (long Out, long? Deleted)> seen = watch.Stop();
            long end = Stopwatch.GetTimestamp();

            // Per backend: dead (HTTP stopped) to out of rotation (weight 0 or deleted), and to deleted from the table.
            var windows = new (long Dead, long Out, long Deleted)[4];
            for (int b = 1; b <= 3; b++)
            {
                (long gone, long? deleted) = seen[$"198.18.2.1{b}"];
                windows[b] = (dead[b], gone, deleted ?? end);
                TimeSpan window = gone > dead[b] ? Stopwatch.GetElapsedTime(dead[b], gone) : TimeSpan.Zero;
                int failed = traffic.Failures(start).Count(f => f >= dead[b] && f <= gone);
                Console.WriteLine($"  b{b} stopped {string.Join(" -> ", wave[b - 1])} ({Spacing.TotalSeconds:0} s apart): " +
                    $"{(window == TimeSpan.Zero ? "out of rotation before its HTTP server stopped" : $"out of rotation {window.TotalSeconds:0.00} s after its HTTP server stopped")}, {failed} requests failed in that window");
                Assert.True(window <= Detection, $"b{b} ({string.Join(" -> ", wave[b - 1])}) stayed routable {window.TotalSeconds:0.0} s after its HTTP server stopped\n{lab.Log}");
            }

            // The backends' leaves and failures reach the balancer through the new serf agent (its events, or a resync of
            // its member list): membership changes the kernel.
            Assert.True(lab.Log[rejoinedMark..].Contains("] membership (", StringComparison.Ordinal),
                $"no membership change since the balancer's serf came back\n{lab.Log[rejoinedMark..]}");

            // A request that failed was sent while some dead backend was in the table: routable, or at weight 0 until its
            // deletion (a CI run had one request fail at the moment a draining, dead destination was deleted).
            long slack = Stopwatch.Frequency / 2;
            List<long> failures = traffic.Failures(start);
            List<long> unexplained = [.. failures.Where(f => !windows.Skip(1).Any(w => f >= w.Dead && f <= w.Deleted + slack))];
            Assert.True(unexplained.Count == 0, $"{unexplained.Count} requests failed while no dead backend was in the table, {string.Join(", ", unexplained.Select(f => $"{Stopwatch.GetElapsedTime(start, f).TotalSeconds:0.00} s"))} into the wave\n{lab.Log}");
            int whileDraining = failures.Count(f => !windows.Skip(1).Any(w => f >= w.Dead && f <= w.Out + slack));
            if (whileDraining > 0)
            {
                Console.WriteLine($"  {whileDraining} requests failed after every dead backend was out of rotation, while one was still in the table at weight 0");
            }

            if (wave == Waves[^1])
            {
                break;
            }

            // Back for the next wave.
            for (int b = 1; b <= 3; b++)
            {
                lab.StartHttp(b);
                lab.StartAgent(b, Services);
            }

            ClusterLab.WaitFor("four backends routable again", TimeSpan.FromSeconds(120), () => Routable(lab.Table()).Count == 4, () => lab.Log);
        }

        Console.WriteLine($"  requests through the VIP during the chaos: {traffic.Sent} sent, {traffic.Failures(0).Count} failed, every one while a dead backend was still in the table");
    }

    // The backends web routes to with a weight above 0, from `ipvsadm -S -n`.
    private static List<string> Routable(string table) => [.. table.Split('\n')
        .Where(l => l.StartsWith($"-a -t {Vip}:80 -r ", StringComparison.Ordinal) && !l.Contains(" -w 0", StringComparison.Ordinal))
        .Select(l => l.Split(' ')[4].Split(':')[0])
        .Order(StringComparer.Ordinal)];

    // Requests through the VIP until disposed (bounded to 10 minutes), each on a new connection; keeps when each failed one was sent.
    private sealed class Traffic : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly List<long> _failures = [];
        private int _sent;

        public Traffic(ClusterLab lab) => _loop = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromMinutes(10))
            {
                long sent = Stopwatch.GetTimestamp();
                string? answer = lab.Request(Vip);
                Interlocked.Increment(ref _sent);
                if (answer is null)
                {
                    lock (_failures)
                    {
                        _failures.Add(sent);
                    }
                }

                Thread.Sleep(50);
            }
        });

        public int Sent => Volatile.Read(ref _sent);

        /// <summary>When each request that failed was sent, from <paramref name="since"/> on.</summary>
        public List<long> Failures(long since)
        {
            lock (_failures)
            {
                return [.. _failures.Where(f => f >= since)];
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(30));
            _stop.Dispose();
        }
    }

    // Polls the table and notes when each of b1-b3 first stops being routable (weight 0 or gone), and when it is gone.
    private sealed class RoutabilityWatch : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly Dictionary<string, long> _out = [];
        private readonly Dictionary<string, long> _deleted = [];

        public RoutabilityWatch(ClusterLab lab) => _loop = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                string table = lab.Table();
                List<string> routable = Routable(table);
                long now = Stopwatch.GetTimestamp();
                lock (_out)
                {
                    foreach (string backend in new[] { "198.18.2.11", "198.18.2.12", "198.18.2.13" })
                    {
                        if (!routable.Contains(backend))
                        {
                            _out.TryAdd(backend, now);
                        }

                        if (!table.Contains($" -r {backend}:", StringComparison.Ordinal))
                        {
                            _deleted.TryAdd(backend, now);
                        }
                    }
                }

                Thread.Sleep(100);
            }
        });

        /// <summary>Per backend: when it went out of rotation, and when it left the table (null: still in it).</summary>
        public IReadOnlyDictionary<string, (long Out, long? Deleted)> Stop()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(30));
            lock (_out)
            {
                return _out.ToDictionary(o => o.Key, o => (o.Value, _deleted.TryGetValue(o.Key, out long at) ? at : (long?)null));
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(30));
            _stop.Dispose();
        }
    }
}
