using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Fusis.Lab.Tests;

/// <summary>
/// Active/active (#14) against the real kernel, real BIRDs and a real etcd (<see cref="AnycastLab"/>): every balancer
/// announces the VIP, the router spreads flows over them, every balancer picks the same backend for a flow, and a
/// VIP leaves a balancer that dies, cannot reach its backends or drains.
/// </summary>
public sealed class AnycastLabTests : IDisposable
{
    private static readonly TimeSpan Exchange = TimeSpan.FromSeconds(20);

    private readonly AnycastLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task Every_balancer_forwards_picks_the_same_backend_and_withdraws_what_it_cannot_serve()
    {
        // An anycast balancer refuses a scheduler that would send a moved flow elsewhere.
        (HttpStatusCode refused, string why) = AnycastLab.Send(1, HttpMethod.Post, "/services",
            """{"Name":"rr","Protocol":"tcp","Address":"198.18.100.2","Port":80,"Scheduler":"rr","Destinations":[]}""");
        Assert.True((int)refused is >= 400 and < 500 && why.Contains("mh", StringComparison.Ordinal), $"{(int)refused} {why}");

        // Destinations given out of order: every balancer adds them in one order all the same.
        (HttpStatusCode created, string body) = AnycastLab.Send(1, HttpMethod.Post, "/services",
            $$"""{"Name":"web","Protocol":"tcp","Address":"{{AnycastLab.Vip}}","Port":{{AnycastLab.Port}},"Scheduler":"mh","SchedulerFlags":["port"],"Destinations":[""" +
            string.Join(',', new[] { 3, 1, 2 }.Select(n => $$"""{"Address":"198.18.40.2{{n}}","Port":{{AnycastLab.Port}},"Mode":"route"}""")) + "]}");
        Assert.True(created == HttpStatusCode.Created, $"{(int)created} {body}");
        (HttpStatusCode checkSet, string checkBody) = AnycastLab.Send(1, HttpMethod.Post, "/services/web/check",
            $$"""{"Type":"tcp","Port":{{AnycastLab.HealthPort}},"Interval":"1s","Timeout":"1s","Rise":1,"Fall":2,"Action":"remove"}""");
        Assert.True(checkSet == HttpStatusCode.OK, $"{(int)checkSet} {checkBody}");

        TimeSpan bothPaths = Wait("the VIP routed over both balancers", TimeSpan.FromSeconds(120), () => AnycastLab.NextHops().Count == AnycastLab.Balancers);
        Wait("the service in both kernels", TimeSpan.FromSeconds(30), () => Enumerable.Range(1, AnycastLab.Balancers).All(n => AnycastLab.KernelOrder(n).Count == AnycastLab.Backends));
        Assert.Equal(AnycastLab.KernelOrder(1), AnycastLab.KernelOrder(2));

        // Both kernels list the destinations newest first, having added them by address whatever the request's order.
        Assert.Equal(["198.18.40.23:9000", "198.18.40.22:9000", "198.18.40.21:9000"], AnycastLab.KernelOrder(1));

        // lb2's kernel loses the first destination of the order; put back alone, it would be listed first (the newest)
        // and Maglev would build a (slightly) different table there. The repair adds it back in its place.
        string first = AnycastLab.KernelOrder(1)[^1];
        AnycastLab.Sh($"ip netns exec {AnycastLab.Namespace(2)} ipvsadm -d -t {AnycastLab.Vip}:{AnycastLab.Port} -r {first}");
        Assert.Equal(HttpStatusCode.OK, AnycastLab.Send(2, HttpMethod.Post, "/services/web/converge", null).Status);
        Assert.Equal(AnycastLab.KernelOrder(1), AnycastLab.KernelOrder(2));
        Assert.True(File.Exists(_lab.BirdConfig(1) + ".before-fusis"), "the operator's BIRD configuration was not kept");
        foreach (int n in new[] { 1, 2 })
        {
            // BIRD's sessions are read every 2 s: the route's export shows in the next reading.
            JsonElement cluster = default;
            Wait($"lb{n}'s /cluster showing the VIP exported to the router", TimeSpan.FromSeconds(30), () => AnycastLab.Cluster(n) is { } read
                && (cluster = read).GetProperty("BgpSessions").EnumerateArray().Any(session => session.GetProperty("Announced").GetInt32() == 1));
            Assert.Equal("anycast", cluster.GetProperty("Mode").GetString());
            Assert.Equal([AnycastLab.Vip], cluster.GetProperty("Announced").EnumerateArray().Select(a => a.GetString()));
            JsonElement session = Assert.Single(cluster.GetProperty("BgpSessions").EnumerateArray());
            Assert.Equal(("198.18.40.1", "Established", 1), (session.GetProperty("Peer").GetString(), session.GetProperty("BgpState").GetString(), session.GetProperty("Announced").GetInt32()));
            string metrics = AnycastLab.Metrics(n);
            Assert.Contains("fusis_bgp_session_established{session=\"fusis_peer1\",peer=\"198.18.40.1\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains($"fusis_bgp_vip_announced{{vip=\"{AnycastLab.Vip}\"}} 1", metrics, StringComparison.Ordinal);
        }

        // New connections from many sources spread over both balancers (ECMP hashing on ports).
        long[] before = Counters();
        var spread = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            (Socket Socket, string Backend)? opened = await AnycastLab.OpenAsync(AnycastLab.Client, new IPEndPoint(IPAddress.Parse($"198.18.41.{2 + (i % 8)}"), 0), Exchange);
            if (opened is { } connection)
            {
                AnycastLab.Reset(connection.Socket);
            }

            return opened?.Backend;
        }));
        long[] through = [.. Counters().Zip(before, (after, was) => after - was)];
        Assert.True(spread.All(b => b is not null), $"{spread.Count(b => b is null)} of 200 connections failed\n{_lab.Tail()}");
        Assert.True(through.All(c => c >= 20), $"connections per balancer: {string.Join(", ", through)} (before {string.Join(", ", before)})\n" +
            string.Join('\n', Enumerable.Range(1, AnycastLab.Balancers).Select(n => LabKernel.Run("ip", $"netns exec {AnycastLab.Namespace(n)} ipvsadm -Ln --stats --exact", check: false))) +
            "\n" + LabKernel.Run("ip", $"-n {AnycastLab.Router} route show {AnycastLab.Vip}", check: false));

        // The same 1,000 source tuples through each balancer in turn: every one lands on the same backend.
        var picks = new List<Dictionary<string, string>>();
        for (int n = 1; n <= AnycastLab.Balancers; n++)
        {
            AnycastLab.Sh($"ip -n {AnycastLab.Probe} route replace {AnycastLab.Vip}/32 via {AnycastLab.Address(n)}");
            long was = Counters()[n - 1];
            picks.Add(await PicksAsync());
            long scheduled = Counters()[n - 1] - was;
            Assert.True(scheduled >= 1000, $"lb{n} scheduled {scheduled} of the 1,000");
        }

        AnycastLab.Sh($"ip -n {AnycastLab.Probe} route del {AnycastLab.Vip}/32");
        Assert.Equal(1000, picks[0].Count);
        var differ = picks[0].Where(p => picks[1].GetValueOrDefault(p.Key) != p.Value).Select(p => p.Key).ToList();
        Assert.True(differ.Count == 0, $"{differ.Count} of 1,000 tuples picked another backend on lb2, e.g. {string.Join(", ", differ.Take(5))}");
        var perBackend = picks[0].Values.GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(AnycastLab.Backends, perBackend.Count);

        // Every backend unreachable from one balancer (not the leader, which decides health for all): that VIP leaves
        // that balancer only, and comes back when it can reach them again.
        int leader = Enumerable.Range(1, AnycastLab.Balancers).First(n => AnycastLab.Cluster(n)?.GetProperty("Role").GetString() == "leader");
        int cut = leader == 1 ? 2 : 1;
        string blocker = $"ip netns exec {AnycastLab.Namespace(cut)} nft";
        // Drops what lb{cut} sends that matches (its output hook).
        void Block(string match) => AnycastLab.Sh($"{blocker} add table inet fusis_test && {blocker} add chain inet fusis_test out '{{ type filter hook output priority 0; }}' && {blocker} add rule inet fusis_test out {match} drop");
        Block($"tcp dport {AnycastLab.HealthPort}");
        TimeSpan unhealthyGone = Wait($"lb{cut}'s path withdrawn once it cannot reach the backends", TimeSpan.FromSeconds(60),
            () => AnycastLab.NextHops() is [var only] && only == AnycastLab.Address(leader));
        Assert.Equal(AnycastLab.Backends, AnycastLab.KernelOrder(leader).Count); // the others keep every destination
        AnycastLab.Sh($"{blocker} delete table inet fusis_test");
        TimeSpan healthyBack = Wait($"lb{cut}'s path back once it reaches them", TimeSpan.FromSeconds(60), () => AnycastLab.NextHops().Count == AnycastLab.Balancers);

        // A graceful drain of one balancer: its routes go first, new flows avoid it, established ones finish elsewhere.
        var established = await OpenManyAsync(40);
        Assert.Equal(HttpStatusCode.OK, AnycastLab.Send(cut, HttpMethod.Post, "/cluster/drain", null).Status);
        TimeSpan drained = Wait($"lb{cut}'s path withdrawn by its drain", TimeSpan.FromSeconds(30), () => AnycastLab.NextHops() is [var only] && only == AnycastLab.Address(leader));
        long atDrain = Counters()[cut - 1];
        var during = await OpenManyAsync(100);
        int finished = (await Task.WhenAll(established.Select(async c => await AnycastLab.AskAsync(c.Socket, Exchange) == c.Backend))).Count(kept => kept);
        Assert.Equal(atDrain, Counters()[cut - 1]);
        Assert.Equal(established.Count, finished);
        foreach ((Socket socket, _) in established.Concat(during))
        {
            AnycastLab.Reset(socket);
        }

        Assert.Equal(HttpStatusCode.OK, AnycastLab.Send(cut, HttpMethod.Delete, "/cluster/drain", null).Status);
        Wait($"lb{cut}'s path back after its drain", TimeSpan.FromSeconds(30), () => AnycastLab.NextHops().Count == AnycastLab.Balancers);

        // etcd out of reach of one balancer only: it withdraws after the lease (the other serves with the current state)
        // and announces again once it reaches etcd; out of reach of all: they all keep forwarding.
        int etcdPort = new Uri(_lab.Etcd.ClientUrl).Port;
        Block($"tcp dport {etcdPort}");
        TimeSpan partitioned = Wait($"lb{cut}'s path withdrawn once it lost etcd for longer than the lease", TimeSpan.FromSeconds(60),
            () => AnycastLab.NextHops() is [var only] && only == AnycastLab.Address(leader));
        AnycastLab.Sh($"{blocker} delete table inet fusis_test");
        TimeSpan rejoined = Wait($"lb{cut}'s path back once it reaches etcd", TimeSpan.FromSeconds(60), () => AnycastLab.NextHops().Count == AnycastLab.Balancers);
        _lab.Etcd.Kill();
        var withoutEtcd = Stopwatch.StartNew();
        int least = AnycastLab.Balancers;
        while (withoutEtcd.Elapsed < TimeSpan.FromSeconds(15))
        {
            least = Math.Min(least, AnycastLab.NextHops().Count);
            Thread.Sleep(250);
        }

        _lab.Etcd.Restart();
        Assert.True(least == AnycastLab.Balancers, $"with etcd out of reach of every balancer, the router kept only {least} path(s)\n{_lab.Tail()}");
        Wait("both balancers reaching etcd again", TimeSpan.FromSeconds(60),
            () => Enumerable.Range(1, AnycastLab.Balancers).All(n => AnycastLab.Cluster(n)?.GetProperty("EtcdReachable").GetBoolean() == true));

        // A balancer killed: its route leaves the router within the hold time, and the flows the router moves to the
        // other balancer keep their backend there (mh and sloppy_tcp, no state shared).
        var open = await OpenManyAsync(60);
        long[] held = Counters();
        _lab.Kill(cut);
        TimeSpan gone = Wait($"lb{cut}'s path gone after it died", TimeSpan.FromSeconds(30), () => AnycastLab.NextHops() is [var only] && only == AnycastLab.Address(leader));
        var survived = await Task.WhenAll(open.Select(async c => await AnycastLab.AskAsync(c.Socket, TimeSpan.FromSeconds(40)) == c.Backend));
        Assert.True(gone < TimeSpan.FromSeconds(3 + 4), $"lb{cut}'s route stayed {gone.TotalSeconds:0.0} s (hold time 3 s)");
        Assert.True(survived.All(s => s), $"{survived.Count(s => !s)} of {open.Count} flows lost their backend after lb{cut} died\n{_lab.Tail()}");

        // The dead host comes back and finds one backend unreachable that the leader still reaches: its own probes take
        // that destination out of its announcements' reckoning only (the leader decides for all).
        _lab.Revive(cut);
        Wait($"lb{cut}'s path back after its restart", TimeSpan.FromSeconds(60), () => AnycastLab.NextHops().Count == AnycastLab.Balancers);
        string lost = $"198.18.40.2{AnycastLab.Backends}";
        int logged = _lab.Log.Length;
        Block($"ip daddr {lost} tcp dport {AnycastLab.HealthPort}");
        Wait($"lb{cut}'s own probes finding {lost} down", TimeSpan.FromSeconds(60),
            () => _lab.Log[logged..].Split('\n').Any(l => l.StartsWith($"lb{cut}: ", StringComparison.Ordinal) && l.Contains($"destination {lost}:{AnycastLab.Port} is down", StringComparison.Ordinal)));
        Assert.Equal(AnycastLab.Backends, AnycastLab.KernelOrder(cut).Count);

        // The leader stops (SIGTERM, as systemctl stop sends): its route goes before it does. The other balancer leads
        // and writes what its own probes saw while it followed: the destination it cannot reach leaves every kernel.
        Process survivor = _lab.Process($"lb{leader}");
        AnycastLab.Sh($"kill -TERM {survivor.Id}");
        TimeSpan stopped = Wait("the stopping leader's route withdrawn", TimeSpan.FromSeconds(20), () => AnycastLab.NextHops() is [var only] && only == AnycastLab.Address(cut));
        Assert.False(survivor.HasExited, "the balancer exited before its route was withdrawn");
        Assert.True(survivor.WaitForExit(TimeSpan.FromSeconds(60)), "the stopping balancer did not exit");
        TimeSpan caughtUp = Wait($"lb{cut}, leading, writing its own view ({lost} down)", TimeSpan.FromSeconds(60),
            () => AnycastLab.KernelOrder(cut).Count == AnycastLab.Backends - 1);
        Assert.DoesNotContain($"{lost}:{AnycastLab.Port}", AnycastLab.KernelOrder(cut));
        Console.WriteLine(
            $"anycast: VIP on both paths {bothPaths.TotalSeconds:0.0} s after the service was created; 200 client connections split {string.Join("/", through)} over the balancers; " +
            $"1,000 source tuples: the same backend on both balancers for all ({string.Join(", ", perBackend.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}); " +
            $"backends unreachable from lb{cut}: its path withdrawn after {unhealthyGone.TotalSeconds:0.0} s, back {healthyBack.TotalSeconds:0.0} s after; " +
            $"drain: path withdrawn after {drained.TotalSeconds:0.0} s, 0 of 100 new connections on it, {finished} of {established.Count} established flows finished; " +
            $"etcd cut off from lb{cut}: its path withdrawn after {partitioned.TotalSeconds:0.0} s (lease 5 s), back {rejoined.TotalSeconds:0.0} s after; etcd down for all: both paths kept 15 s; " +
            $"lb{cut} killed: route gone after {gone.TotalSeconds:0.00} s (hold time 3 s), {survived.Count(s => s)} of {open.Count} established flows kept their backend " +
            $"(counters before: {string.Join("/", held)}); SIGTERM of the leader: route withdrawn after {stopped.TotalSeconds:0.0} s, before it exited; " +
            $"lb{cut}, leading, wrote the down destination its own probes had seen {caughtUp.TotalSeconds:0.0} s after");
    }

    // Each balancer's connection counter for the service, once the kernel has folded its per-CPU counts into it (its
    // estimator does so every 2 s).
    private static long[] Counters()
    {
        Thread.Sleep(TimeSpan.FromSeconds(3));
        return [.. Enumerable.Range(1, AnycastLab.Balancers).Select(AnycastLab.Connections)];
    }

    // Connections from the client through the router that stay open, each with the backend of its first exchange.
    private static async Task<List<(Socket Socket, string Backend)>> OpenManyAsync(int count)
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            AnycastLab.OpenAsync(AnycastLab.Client, new IPEndPoint(IPAddress.Parse($"198.18.41.{2 + (i % 8)}"), 0), Exchange)));
        Assert.True(opened.All(o => o is not null), $"{opened.Count(o => o is null)} of {count} connections failed");
        return [.. opened.Select(o => o!.Value)];
    }

    // 1,000 source tuples (8 addresses x 125 ports) from the probe, 50 at a time: the backend each one reached.
    private static async Task<Dictionary<string, string>> PicksAsync()
    {
        var tuples = Enumerable.Range(0, 1000).Select(i => new IPEndPoint(IPAddress.Parse($"198.18.40.{60 + (i % 8)}"), 30000 + (i / 8))).ToList();
        var picks = new Dictionary<string, string>();
        foreach (var batch in tuples.Chunk(50))
        {
            var answers = await Task.WhenAll(batch.Select(async tuple =>
            {
                (Socket Socket, string Backend)? opened = await AnycastLab.OpenAsync(AnycastLab.Probe, tuple, Exchange);
                if (opened is { } connection)
                {
                    AnycastLab.Reset(connection.Socket);
                }

                return (Tuple: tuple.ToString(), Backend: opened?.Backend);
            }));
            foreach ((string tuple, string? backend) in answers)
            {
                Assert.True(backend is not null, $"{tuple} got no answer");
                picks[tuple] = backend;
            }
        }

        return picks;
    }

    private TimeSpan Wait(string what, TimeSpan limit, Func<bool> done) =>
        ClusterLab.WaitFor(what, limit, done, () => $"router: {string.Join(", ", AnycastLab.NextHops())}\n{_lab.Tail()}");
}
