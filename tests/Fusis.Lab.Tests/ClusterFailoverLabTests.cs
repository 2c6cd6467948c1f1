using System.Diagnostics;
using System.Net;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>
/// Three balancers sharing their desired state in a real etcd, one leader holding the VIP, direct-routing backends
/// and the root namespace as client (<see cref="HaLab"/>): every figure is printed for the note, every claim asserted
/// with a generous bound (the lab is emulated, about 35x slower than a real host).
/// </summary>
public sealed class ClusterFailoverLabTests : IClassFixture<ClusterFailoverLabTests.Fixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly HaLab _lab;

    public ClusterFailoverLabTests(Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _lab = fixture.Lab;
        EnsureWeb();
    }

    [Fact]
    public async Task A_write_through_a_standby_is_in_every_kernel_and_concurrent_writes_on_every_node_are_all_applied()
    {
        int standby = Enumerable.Range(1, HaLab.Balancers).First(n => n != WaitForLeader());
        var clock = Stopwatch.StartNew();
        (HttpStatusCode created, string reason) = HaLab.Send(standby, HttpMethod.Post, "/services",
            """{"Name":"api","Protocol":"tcp","Address":"198.18.10.101","Port":8080,"Scheduler":"wrr","Destinations":[{"Address":"198.18.10.21","Port":8080,"Mode":"route"}]}""");
        Assert.True(created == HttpStatusCode.Created, $"{(int)created} {reason}\n{_lab.Diagnose()}");
        TimeSpan everywhere = Wait("the standby's write in every kernel", () => Enumerable.Range(1, HaLab.Balancers).All(n => Has(n, "198.18.10.101", 8080)));
        Console.WriteLine($"  cluster: a write through standby lb{standby} was in all {HaLab.Balancers} kernels {clock.Elapsed.TotalMilliseconds:0} ms after it was sent ({everywhere.TotalMilliseconds:0} ms after its 201; target 1 s on real hardware)");

        // 100 writers at once, spread over the three APIs, each adding its own destination to the same service.
        clock.Restart();
        var writes = Enumerable.Range(1, 100).Select(i => Task.Run(() => HaLab.Send(1 + (i % HaLab.Balancers), HttpMethod.Post, "/services/api/destinations",
            $$"""{"Address":"198.18.11.{{i}}","Port":8080,"Mode":"route"}"""))).ToArray();
        await Task.WhenAll(writes).WaitAsync(Bound);
        foreach ((HttpStatusCode status, string body) in await Task.WhenAll(writes))
        {
            Assert.True(status == HttpStatusCode.Created, $"{(int)status} {body}\n{_lab.Tail()}");
        }

        TimeSpan acknowledged = clock.Elapsed;
        Wait("101 destinations in every kernel", () => Enumerable.Range(1, HaLab.Balancers).All(n => Destinations(n, "198.18.10.101", 8080) == 101));
        string table = HaLab.Table(1);
        Assert.All(Enumerable.Range(2, HaLab.Balancers - 1), n => Assert.Equal(table, HaLab.Table(n)));
        long conflicts = Enumerable.Range(1, HaLab.Balancers).Sum(n => Metric(n, "fusis_cluster_conflicts_total"));
        Console.WriteLine($"  cluster: 100 concurrent writes over {HaLab.Balancers} APIs: 100 acknowledged in {acknowledged.TotalSeconds:0.0} s ({conflicts} made again after losing a race), 100 in every kernel, tables identical (ipvsadm -S -n)");

        // The cmdlet shows what the API shows, from any node.
        using var pwsh = new PowerShellSession();
        var (output, errors) = pwsh.Invoke($"Get-FusisCluster -Balancer {HaLab.Api(standby)} -Token (ConvertTo-SecureString '{HaLab.Token}' -AsPlainText)");
        Assert.Empty(errors);
        dynamic cluster = Assert.Single(output);
        Assert.Equal($"lb{standby}", (string)cluster.Node);
        Assert.Equal("standby", (string)cluster.Role);
        Assert.Equal($"lb{WaitForLeader()}", (string)cluster.Leader);
        Assert.Equal(["lb1", "lb2", "lb3"], ((IEnumerable<string>)cluster.Nodes).ToList());
        Assert.True((bool)cluster.EtcdReachable);

        Assert.Equal(HttpStatusCode.NoContent, HaLab.Send(standby, HttpMethod.Delete, "/services/api", null).Status);
        Wait("the delete in every kernel", () => Enumerable.Range(1, HaLab.Balancers).All(n => !Has(n, "198.18.10.101", 8080)));
    }

    [Fact]
    public async Task Kill_9_of_the_leader_fails_over_within_the_lease_keeps_long_transfers_and_the_old_leader_returns_as_a_standby()
    {
        // Five runs, as the issue asks: each costs about 60-90 s under emulation.
        const int Runs = 5;
        var failovers = new List<TimeSpan>();
        (int started, int completed) = (0, 0);
        for (int run = 1; run <= Runs; run++)
        {
            int leader = WaitForLeader();
            Assert.Equal([leader], HaLab.Holders());
            using var traffic = new VipTraffic(_lab);
            Task<bool>[] transfers = run == 1 ? [.. Enumerable.Range(0, 4).Select(_ => HaLab.SlowDownloadAsync(TimeSpan.FromSeconds(90)))] : [];
            started += transfers.Length;
            Thread.Sleep(1500);

            _lab.Kill(leader);
            long killedAt = Stopwatch.GetTimestamp(); // the host is gone: process and link
            Wait("a request served after the kill", () => traffic.ServedAfter(killedAt));
            int next = WaitForLeader();
            Assert.NotEqual(leader, next);

            // The dead host comes back as a standby, and the VIP stays where it is.
            _lab.Revive(leader);
            Thread.Sleep(3000);
            Assert.Equal("standby", HaLab.Cluster(leader)!.Value.GetProperty("Role").GetString());
            Assert.Equal([next], HaLab.Holders());
            completed += (await Task.WhenAll(transfers).WaitAsync(Bound)).Count(done => done);
            VipOutage outage = await traffic.StopAsync(killedAt);
            failovers.Add(outage.Gap);
            Console.WriteLine($"  failover run {run}: lb{leader} killed, lb{next} served after {outage.Gap.TotalSeconds:0.00} s; {outage.Failed} of {outage.Sent} requests failed, {outage.FailedAfterRecovery.Count} after the first served one");
            AssertNoFailureAfterRecovery(outage, "the kill");
            Assert.True(outage.Gap < TimeSpan.FromSeconds(15), $"failover took {outage.Gap.TotalSeconds:0.0} s\n{_lab.Log}");
        }

        failovers.Sort();
        Console.WriteLine($"  failover (kill -9 of the leader's host, lease {LeaseSeconds:0} s): median {failovers[Runs / 2].TotalSeconds:0.00} s, max {failovers[^1].TotalSeconds:0.00} s over {Runs} runs (keepalived about 3.5 s, Seesaw 1.5-2 s)");
        Console.WriteLine($"  long transfers through the old leader: {started} started, {completed} completed through the new one");
        Assert.Equal(started, completed);
    }

    [Fact]
    public async Task A_leader_cut_off_from_etcd_drops_the_vip_before_another_takes_it_and_never_takes_it_back()
    {
        int leader = WaitForLeader();
        using var holders = new VipHolderSampler();

        HaLab.Sh($"ip -n {HaLab.Namespace(leader)} route add blackhole 198.18.10.5/32");
        int next;
        try
        {
            TimeSpan dropped = Wait("the cut-off leader to drop the VIP", () => !HaLab.Holders().Contains(leader));
            next = WaitForLeader(except: leader);
            Wait("the new leader to hold the VIP", () => HaLab.Holders().SequenceEqual([next]));
            Console.WriteLine($"  cut off from etcd: lb{leader} dropped the VIP after {dropped.TotalSeconds:0.00} s; lb{next} took it");
        }
        finally
        {
            HaLab.Sh($"ip -n {HaLab.Namespace(leader)} route del blackhole 198.18.10.5/32");
        }

        int restored = _lab.Log.Length;
        Wait("the old leader to reach etcd again", () => HaLab.Cluster(leader) is { } c && c.GetProperty("EtcdReachable").GetBoolean());
        Thread.Sleep(5000);
        await holders.StopAsync();

        // The claim is that it does not take the leadership back from the leader that holds it. Should that leader step
        // down meanwhile (a renewal late on the emulated host, which its log says), any standby may win the election.
        string? role = HaLab.Cluster(leader)!.Value.GetProperty("Role").GetString();
        bool nextSteppedDown = _lab.Log[restored..].Contains($"cluster: lb{next} is now standby", StringComparison.Ordinal);
        Assert.True(role == "standby" || nextSteppedDown, $"lb{leader} is {role} after it reached etcd again, while lb{next} never stepped down\n{_lab.Tail()}");
        Assert.True(HaLab.Holders().Count == 1, $"VIP holders: {string.Join(", ", HaLab.Holders().Select(n => $"lb{n}"))}\n{_lab.Tail()}");
        Console.WriteLine($"  VIP holders sampled every 100 ms through the test: at most {holders.Most} at once over {holders.Samples} samples; " +
            (role == "standby" ? "the old leader rejoined as a standby" : $"lb{next} stepped down meanwhile and lb{leader} won the election after it"));
        Assert.Equal(1, holders.Most);
    }

    [Fact]
    public void Etcd_stopped_for_30_s_forwarding_goes_on_writes_get_503_and_everything_converges_after()
    {
        int leader = WaitForLeader();
        int logBefore = _lab.Log.Length;
        _lab.Etcd.Kill();
        int served = 0;
        var failed = new List<double>();
        try
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                double sent = clock.Elapsed.TotalSeconds;
                if (_lab.Request() is "b1" or "b2")
                {
                    served++;
                }
                else
                {
                    failed.Add(sent);
                }

                Thread.Sleep(200);
            }

            (HttpStatusCode status, string body) = HaLab.Send(leader, HttpMethod.Post, "/services",
                """{"Name":"late","Protocol":"tcp","Address":"198.18.10.102","Port":80,"Scheduler":"rr"}""");
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{(int)status} {body}");
            Assert.Contains("etcd", body, StringComparison.Ordinal);
            Assert.True(HaLab.Holders().SequenceEqual([leader]), $"lb{leader} no longer holds the VIP alone: {string.Join(",", HaLab.Holders())}\n{_lab.Tail()}");
        }
        finally
        {
            _lab.Etcd.Restart();
        }

        // The claim: the leader holds the VIP through the outage. Under emulation its peers' "no etcd either" answers
        // can come after its step-down deadline (a third of the lease left); it then drops the VIP and takes it back on
        // those answers, which costs about a second: every drop must be followed by a take-back, and at most two
        // requests (one every 200 ms, 1 s connect timeout) may fall in such a gap.
        string[] own = [.. _lab.Log[logBefore..].Split('\n').Where(l => l.StartsWith($"lb{leader}:", StringComparison.Ordinal))];
        int drops = own.Count(l => l.Contains("VIP ", StringComparison.Ordinal) && l.Contains(" removed", StringComparison.Ordinal));
        int takeBacks = own.Count(l => l.Contains("takes the VIPs back", StringComparison.Ordinal));
        Console.WriteLine($"  etcd stopped 30 s: {served} requests served, {failed.Count} failed{(failed.Count > 0 ? $" (sent {string.Join(", ", failed.Select(t => $"{t:0.0} s"))} in)" : "")}; writes answered 503; lb{leader} held the VIP at the end, dropped it {drops} times and took it back {takeBacks} times");
        Assert.True(drops <= takeBacks, $"lb{leader} dropped the VIP while etcd was down and did not take it back\n{_lab.Tail()}");
        Assert.True(failed.Count <= 2 * drops, $"{failed.Count} requests failed while etcd was down ({drops} VIP drops)\n{_lab.Tail()}");
        var write = Stopwatch.StartNew();
        Wait("a write accepted after etcd returned", () => HaLab.Send(leader, HttpMethod.Post, "/services",
            """{"Name":"late","Protocol":"tcp","Address":"198.18.10.102","Port":80,"Scheduler":"rr"}""").Status == HttpStatusCode.Created);
        Wait("the write in every kernel", () => Enumerable.Range(1, HaLab.Balancers).All(n => Has(n, "198.18.10.102", 80)));
        Console.WriteLine($"  etcd back: writes accepted again after {write.Elapsed.TotalSeconds:0.0} s, in every kernel");
        Assert.Equal(HttpStatusCode.NoContent, HaLab.Send(leader, HttpMethod.Delete, "/services/late", null).Status);
    }

    [Fact]
    public async Task A_leader_stopped_with_SIGTERM_hands_its_VIP_over_at_once_and_never_shares_it()
    {
        int leader = WaitForLeader();
        Assert.Equal([leader], HaLab.Holders());
        using var holders = new VipHolderSampler();
        using var traffic = new VipTraffic(_lab);
        Thread.Sleep(1500);

        long stoppedAt = Stopwatch.GetTimestamp();
        _lab.Terminate(leader); // it resigns: drops the VIP, then revokes its lease, so the leader key goes at once
        TimeSpan exited = Stopwatch.GetElapsedTime(stoppedAt);
        int next = WaitForLeader(except: leader);

        // The outage counts from the moment the old leader let go of the VIP, not from the signal: requests sent
        // between them are still served by it, and one of those is no sign that the hand-over is done.
        Wait("the old leader seen without the VIP", () => holders.FirstSeenWithout(leader) is not null);
        long letGoAt = holders.FirstSeenWithout(leader)!.Value;
        Wait("a request served after the old leader let go of the VIP", () => traffic.ServedAfter(letGoAt));
        await holders.StopAsync();
        VipOutage outage = await traffic.StopAsync(letGoAt);
        _lab.StartBalancer(leader); // as systemd starts it again
        _lab.WaitForApi(leader);
        Thread.Sleep(3000);

        Console.WriteLine($"  planned stop (SIGTERM) of the leader lb{leader}: exited after {exited.TotalSeconds:0.0} s; lb{next} served {outage.FirstServed.TotalSeconds:0.00} s after it let go of the VIP, {outage.Gap.TotalSeconds:0.00} s without service " +
            $"(lease {LeaseSeconds:0} s, a crash waits for it); {outage.Failed} of {outage.Sent} requests failed; at most {holders.Most} VIP holder(s) at once over {holders.Samples} samples; the old leader came back as a standby");
        AssertNoFailureAfterRecovery(outage, "the stop");
        Assert.Equal(1, holders.Most);
        Assert.True(outage.Gap < TimeSpan.FromSeconds(LeaseSeconds), $"the hand-over took {outage.Gap.TotalSeconds:0.00} s, no faster than a lease ({LeaseSeconds} s)\n{_lab.Tail()}");
        Assert.Equal("standby", HaLab.Cluster(leader)!.Value.GetProperty("Role").GetString());
        Assert.Equal([next], HaLab.Holders());
    }

    [Fact]
    public void A_crashed_leader_process_gives_its_VIP_up_through_release_vips_and_the_next_leader_holds_it_alone()
    {
        int leader = WaitForLeader();
        Assert.Equal([leader], HaLab.Holders());
        var clock = Stopwatch.StartNew();

        string released = _lab.CrashAndRelease(leader);
        TimeSpan release = clock.Elapsed;
        var holders = HaLab.Holders();
        int next = WaitForLeader(except: leader);
        Wait("the next leader to hold the VIP alone", () => HaLab.Holders().SequenceEqual([next]));
        TimeSpan taken = clock.Elapsed;
        Wait("the VIP to serve", () => _lab.Request() is "b1" or "b2");
        _lab.StartBalancer(leader); // as systemd restarts it
        _lab.WaitForApi(leader);

        Console.WriteLine($"  crashed leader process (lb{leader}, link up): VIP released {release.TotalSeconds:0.0} s after the kill, lb{next} held it alone {taken.TotalSeconds:0.0} s after; the old leader came back as a standby");
        Assert.Contains($"VIP {HaLab.Vip} removed from fusis0", released, StringComparison.Ordinal);
        Assert.DoesNotContain(leader, holders);
        Assert.True(HaLab.Holders().SequenceEqual([next]), $"VIP holders after the restart: {string.Join(", ", HaLab.Holders())}\n{_lab.Tail()}");
    }

    private static double LeaseSeconds => TimeSpan.Parse(HaLab.LeaseTtl, System.Globalization.CultureInfo.InvariantCulture).TotalSeconds;

    private void AssertNoFailureAfterRecovery(VipOutage outage, string moment) =>
        Assert.True(outage.FailedAfterRecovery.Count == 0,
            $"requests sent {string.Join(", ", outage.FailedAfterRecovery.Select(t => $"{t:0.00} s"))} after {moment} failed, after the first one served at {outage.FirstServed.TotalSeconds:0.00} s\n{_lab.Tail()}");

    // Bounded, and a failure says what the balancers logged about the cluster.
    private TimeSpan Wait(string what, Func<bool> done) => ClusterLab.WaitFor(what, Bound, done, _lab.Diagnose);

    private static long Metric(int n, string name)
    {
        using HttpClient http = HaLab.Reader(TimeSpan.FromSeconds(30));
        string text = http.GetStringAsync(new Uri($"{HaLab.Api(n)}/metrics")).GetAwaiter().GetResult();
        string line = text.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return (long)double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private int WaitForLeader(int except = 0)
    {
        int leader = 0;
        Wait("a leader", () => (leader = HaLab.Leader()) != 0 && leader != except);
        return leader;
    }

    // The web service on the VIP, created once through any balancer, served by both backends.
    private void EnsureWeb()
    {
        int any = WaitForLeader();
        if (HaLab.Send(any, HttpMethod.Get, "/services/web", null).Status != HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.Created, HaLab.Send(any, HttpMethod.Post, "/services", $$"""
                {"Name":"web","Protocol":"tcp","Address":"{{HaLab.Vip}}","Port":80,"Scheduler":"rr",
                 "Destinations":[{"Address":"198.18.10.21","Port":80,"Mode":"route"},{"Address":"198.18.10.22","Port":80,"Mode":"route"}]}
                """).Status);
        }

        Wait("the VIP to serve", () => _lab.Request() is "b1" or "b2");
    }

    private static bool Has(int n, string address, ushort port) => Destinations(n, address, port) >= 0;

    // The destinations of a service in balancer N's kernel (netlink in its namespace, no process); -1: no such service.
    private static int Destinations(int n, string address, ushort port)
    {
        using IpvsClient ipvs = IpvsClient.Open($"/run/netns/{HaLab.Namespace(n)}");
        IpvsServiceKey key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse(address), port);
        return ipvs.GetService(key) is null ? -1 : ipvs.GetDestinations(key).Count;
    }

    /// <summary>The cluster, set up once for these tests (about a minute in the lab).</summary>
    public sealed class Fixture : IDisposable
    {
        internal HaLab Lab { get; } = new();

        public void Dispose() => Lab.Dispose();
    }
}
