using Fusis.Core.Cluster;
using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Etcd;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;

namespace Fusis.Core.Tests;

/// <summary>The shared desired state and the election against a real etcd on loopback (the kernels are doubles here; the lab uses real ones).</summary>
public sealed class ClusterStoreTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly EtcdServer _etcd = EtcdServer.Start();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-cluster-");
    private readonly List<IDisposable> _owned = [];
    private readonly ClusterKeys _keys = new("/fusis-test/");

    [Fact]
    public async Task A_change_on_one_balancer_reaches_the_others_kernel_through_the_watch()
    {
        (BalancerEngine a, _, _) = Balancer("a");
        (BalancerEngine b, EtcdDesiredStateStore storeB, MemoryIpvsKernel kernelB) = Balancer("b");
        await using (a)
        await using (b)
        {
            using var stop = new CancellationTokenSource(Bound);
            Task follow = FollowAsync(b, storeB, stop.Token);
            await a.ChangeAsync((state, _) => state with { Services = [Service("web", 1)] });

            await Until(() => kernelB.GetService(Service("web", 1).Key) is not null);
            Assert.Equal([Samples.Destination("198.19.0.1", 80).Address], kernelB.GetDestinations(Service("web", 1).Key).Select(d => d.Address));

            await a.ChangeAsync((state, _) => state with { Services = [] });
            await Until(() => kernelB.GetService(Service("web", 1).Key) is null && b.Current.Retired.Count == 0); // deleted, so forgotten
            Assert.Empty(b.Current.Services);
            await stop.CancelAsync();
            await follow;
        }
    }

    [Fact]
    public async Task Concurrent_writers_on_two_balancers_lose_no_change()
    {
        (BalancerEngine a, _, _) = Balancer("a");
        (BalancerEngine b, _, _) = Balancer("b");
        await using (a)
        await using (b)
        {
            // Each adds its own services on top of whatever the state is: a lost update would drop some.
            var writes = Enumerable.Range(1, 40).Select(i => (i % 2 == 0 ? a : b).ChangeAsync((state, _) => state with { Services = [.. state.Services, Service($"s{i}", i)] }));
            await Task.WhenAll(writes);

            DesiredState shared = Reader().Load();
            Assert.Equal(Enumerable.Range(1, 40).Select(i => $"s{i}").Order(StringComparer.Ordinal), shared.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
            Assert.True(a.Counters.Conflicts + b.Counters.Conflicts > 0, "the two writers never raced, so the test proved nothing");
        }
    }

    [Fact]
    public async Task A_write_while_etcd_is_down_is_refused_and_the_state_in_force_stays()
    {
        (BalancerEngine a, _, MemoryIpvsKernel kernel) = Balancer("a");
        await using (a)
        {
            await a.ChangeAsync((state, _) => state with { Services = [Service("web", 1)] });
            _etcd.Kill();

            await Assert.ThrowsAsync<DesiredStateUnavailableException>(() => a.ChangeAsync((state, _) => state with { Services = [] }));
            Assert.Equal(["web"], a.Current.Services.Select(s => s.Name));
            Assert.NotNull(kernel.GetService(Service("web", 1).Key));

            _etcd.Restart();
            await UntilAccepted(() => a.ChangeAsync((state, _) => state with { Services = [.. state.Services, Service("api", 2)] }));
            Assert.Equal(["api", "web"], Reader().Load().Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_balancer_started_while_etcd_is_down_serves_its_cached_state()
    {
        var cache = FileDesiredStateStore.Open(Path.Combine(_folder.FullName, "c.json"), TimeSpan.FromSeconds(1));
        using var etcd = EtcdConnection.Open(_etcd.ClientUrl, TimeSpan.FromSeconds(1));
        using (var store = new EtcdDesiredStateStore(etcd, _keys, "c", cache))
        {
            store.Load();
            store.Save(new DesiredState([Service("web", 1)], []));
        }

        _etcd.Kill();
        using var again = new EtcdDesiredStateStore(etcd, _keys, "c", FileDesiredStateStore.Open(Path.Combine(_folder.FullName, "c.json"), TimeSpan.FromSeconds(1)));
        var problems = new List<string>();
        again.Problem += problems.Add;

        Assert.Equal(["web"], again.Load().Services.Select(s => s.Name));
        Assert.False(again.Current);
        Assert.Contains(problems, p => p.Contains("cached state", StringComparison.Ordinal));
        Assert.Throws<DesiredStateUnavailableException>(() => again.Save(new DesiredState([], [])));
    }

    [Fact]
    public async Task One_leader_at_a_time_and_a_standby_takes_over_when_it_resigns()
    {
        using var etcd = EtcdConnection.Open(_etcd.ClientUrl, TimeSpan.FromSeconds(1));
        using var first = new LeaderElection(etcd, _keys, "first", TimeSpan.FromSeconds(2));
        using var second = new LeaderElection(etcd, _keys, "second", TimeSpan.FromSeconds(2));
        using var stopFirst = new CancellationTokenSource(Bound);
        using var stopSecond = new CancellationTokenSource(Bound);
        var changes = new List<string>();
        first.RoleChanged += c => { lock (changes) { changes.Add($"first {c.Role}"); } };
        second.RoleChanged += c => { lock (changes) { changes.Add($"second {c.Role}"); } };

        Task runFirst = first.RunAsync(stopFirst.Token);
        await Until(() => first.Role == ClusterRole.Leader);
        Task runSecond = second.RunAsync(stopSecond.Token);
        await Until(() => second.Leader == "first");
        await Task.Delay(1000);
        Assert.Equal(ClusterRole.Standby, second.Role);

        await stopFirst.CancelAsync();
        await runFirst; // resigns: the key goes with the revoked lease
        await Until(() => second.Role == ClusterRole.Leader);
        Assert.Equal("first", second.LastFailover!.From);
        Assert.Equal(["first Leader", "first Standby", "second Leader"], changes);

        await stopSecond.CancelAsync();
        await runSecond;
    }

    [Fact]
    public async Task A_leader_that_loses_etcd_steps_down_before_its_lease_can_expire()
    {
        using var etcd = EtcdConnection.Open(_etcd.ClientUrl, TimeSpan.FromMilliseconds(500));
        using var election = new LeaderElection(etcd, _keys, "lonely", TimeSpan.FromSeconds(3));
        using var stop = new CancellationTokenSource(Bound);
        var steppedDown = new TaskCompletionSource<(TimeSpan Left, string Reason)>();
        long lastRenewal = 0;
        election.RoleChanged += c =>
        {
            if (c.Role == ClusterRole.Standby)
            {
                steppedDown.TrySetResult((election.LeaseRemaining, c.Reason));
            }
        };
        Task run = election.RunAsync(stop.Token);
        await Until(() => election.Role == ClusterRole.Leader);
        lastRenewal = System.Diagnostics.Stopwatch.GetTimestamp();
        _etcd.Kill();

        (TimeSpan left, string reason) = await steppedDown.Task.WaitAsync(Bound);
        Assert.True(left > TimeSpan.Zero, $"it stepped down with {left} of its lease left ({reason})");
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(lastRenewal) < election.LeaseTtl, "it stepped down after its lease could have expired");
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_leader_keeps_leading_without_etcd_while_no_peer_can_lead_and_steps_down_once_one_can()
    {
        using var etcd = EtcdConnection.Open(_etcd.ClientUrl, TimeSpan.FromMilliseconds(500));
        bool nobodyElse = true;
        using var election = new LeaderElection(etcd, _keys, "holder", TimeSpan.FromSeconds(2)) { NobodyElseCanLead = () => Volatile.Read(ref nobodyElse) };
        using var stop = new CancellationTokenSource(Bound);
        Task run = election.RunAsync(stop.Token);
        await Until(() => election.Role == ClusterRole.Leader);
        _etcd.Kill();

        await Until(() => election.HoldingWithoutEtcd);
        await Task.Delay(election.LeaseTtl * 2); // well past the lease: no peer could take it
        Assert.Equal(ClusterRole.Leader, election.Role);

        Volatile.Write(ref nobodyElse, false); // a peer reaches etcd again
        await Until(() => election.Role == ClusterRole.Standby);
        Assert.False(election.HoldingWithoutEtcd);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_leader_that_stepped_down_for_want_of_etcd_takes_the_VIPs_back_once_no_peer_can_lead_and_keeps_its_term_when_etcd_returns()
    {
        using var etcd = EtcdConnection.Open(_etcd.ClientUrl, TimeSpan.FromMilliseconds(500));
        bool nobodyElse = false;
        using var election = new LeaderElection(etcd, _keys, "late", TimeSpan.FromSeconds(2)) { NobodyElseCanLead = () => Volatile.Read(ref nobodyElse) };
        using var stop = new CancellationTokenSource(Bound);
        Task run = election.RunAsync(stop.Token);
        await Until(() => election.Role == ClusterRole.Leader);
        long term = election.Term;
        long failovers = election.Failovers;
        _etcd.Kill();

        await Until(() => election.Role == ClusterRole.Standby); // the peers' answers were not in yet
        Assert.True(election.SteppedDownWithoutEtcd);
        election.TakeBackIfNobodyElseCanLead();
        Assert.Equal(ClusterRole.Standby, election.Role); // a peer still could lead

        Volatile.Write(ref nobodyElse, true);
        election.TakeBackIfNobodyElseCanLead();
        Assert.Equal(ClusterRole.Leader, election.Role);
        Assert.True(election.HoldingWithoutEtcd);
        Assert.False(election.SteppedDownWithoutEtcd);

        _etcd.Restart(); // etcd renews every lease when it starts, so the key is still this balancer's
        await Until(() => !election.HoldingWithoutEtcd);
        Assert.Equal(ClusterRole.Leader, election.Role);
        Assert.Equal(term, election.Term);
        Assert.Equal(failovers, election.Failovers);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_standby_that_told_a_leader_it_has_no_etcd_does_not_take_the_leadership_for_the_promised_time()
    {
        using var etcd = EtcdConnection.Open(_etcd.ClientUrl, TimeSpan.FromSeconds(1));
        using var first = new LeaderElection(etcd, _keys, "first", TimeSpan.FromSeconds(2));
        using var second = new LeaderElection(etcd, _keys, "second", TimeSpan.FromSeconds(2));
        using var stopFirst = new CancellationTokenSource(Bound);
        using var stopSecond = new CancellationTokenSource(Bound);
        Task runFirst = first.RunAsync(stopFirst.Token);
        await Until(() => first.Role == ClusterRole.Leader);
        Task runSecond = second.RunAsync(stopSecond.Token);
        await Until(() => second.Leader == "first");

        second.PromiseNotToCampaign(TimeSpan.FromSeconds(3));
        var promised = System.Diagnostics.Stopwatch.StartNew();
        await stopFirst.CancelAsync();
        await runFirst; // the key is gone at once
        await Until(() => second.Role == ClusterRole.Leader);
        Assert.True(promised.Elapsed >= TimeSpan.FromSeconds(3), $"it took the leadership {promised.Elapsed.TotalSeconds:0.00} s into a 3 s promise");

        await stopSecond.CancelAsync();
        await runSecond;
    }

    [Fact]
    public async Task A_three_member_etcd_that_loses_its_raft_leader_costs_no_failover_and_one_that_loses_its_quorum_refuses_writes_until_it_returns()
    {
        IReadOnlyList<EtcdServer> members = EtcdServer.StartCluster(3);
        try
        {
            // The raft leader is every connection's first endpoint: its death makes etcd elect again and the clients move.
            List<EtcdServer> ordered = [.. members.OrderByDescending(m => m.IsRaftLeader())];
            Assert.True(ordered[0].IsRaftLeader(), "no member is the raft leader");
            string endpoints = string.Join(',', ordered.Select(m => m.ClientUrl));
            (BalancerEngine a, _, _) = Balancer("a", endpoints);
            (BalancerEngine b, EtcdDesiredStateStore storeB, MemoryIpvsKernel kernelB) = Balancer("b", endpoints);
            using var etcdA = EtcdConnection.Open(endpoints, TimeSpan.FromSeconds(1));
            using var etcdB = EtcdConnection.Open(endpoints, TimeSpan.FromSeconds(1));
            using var leader = new LeaderElection(etcdA, _keys, "a", TimeSpan.FromSeconds(3));
            using var standby = new LeaderElection(etcdB, _keys, "b", TimeSpan.FromSeconds(3));
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var changes = new List<string>();
            leader.RoleChanged += c => { lock (changes) { changes.Add($"a {c.Role}: {c.Reason}"); } };
            standby.RoleChanged += c => { lock (changes) { changes.Add($"b {c.Role}: {c.Reason}"); } };
            await using (a)
            await using (b)
            {
                Task runLeader = leader.RunAsync(stop.Token);
                await Until(() => leader.Role == ClusterRole.Leader);
                Task runStandby = standby.RunAsync(stop.Token);
                await Until(() => standby.Leader == "a");
                await a.ChangeAsync((state, _) => state with { Services = [Service("web", 1)] });

                ordered[0].Kill();
                await UntilAccepted(() => a.ChangeAsync((state, _) => state with { Services = [.. state.Services, Service("api", 2)] }));
                await b.AdoptAsync(storeB.Load);
                Assert.NotNull(kernelB.GetService(Service("api", 2).Key));
                Assert.Contains(ordered.Skip(1), m => m.IsRaftLeader());
                await Task.Delay(TimeSpan.FromSeconds(3)); // a lease's worth of renewals through the surviving members
                Assert.Equal(ClusterRole.Leader, leader.Role);
                Assert.Equal(ClusterRole.Standby, standby.Role);
                lock (changes)
                {
                    Assert.True(changes.SequenceEqual(["a Leader: there was no leader"]), $"losing one etcd member changed roles: {string.Join("; ", changes)}");
                }

                // Two of three gone: no quorum, so no write and no renewal; the state in force stays.
                // The write may sit in the surviving raft leader's log and be committed once a quorum is back: its
                // outcome is unknown, and the refusal says so rather than "nothing was changed".
                ordered[1].Kill();
                var unconfirmed = await Assert.ThrowsAsync<DesiredStateUnavailableException>(() => a.ChangeAsync((state, _) => state with { Services = [.. state.Services, Service("unconfirmed", 4)] }));
                Assert.Contains("may still be applied", unconfirmed.Message, StringComparison.Ordinal);
                await Until(() => leader.Role == ClusterRole.Standby);
                Assert.Equal(["api", "web"], a.Current.Services.Select(s => s.Name).Order(StringComparer.Ordinal));

                ordered[0].Restart();
                await UntilAccepted(() => a.ChangeAsync((state, _) => state with { Services = [.. state.Services, Service("late", 3)] }));
                await Until(() => leader.Role == ClusterRole.Leader || standby.Role == ClusterRole.Leader);
                List<string> shared = [.. Reader(endpoints).Load().Services.Select(s => s.Name).Order(StringComparer.Ordinal)];
                Console.WriteLine($"3-member etcd: after the quorum returned the shared state holds {string.Join(", ", shared)}");
                Assert.Equal(["api", "late", "web"], shared.Where(n => n != "unconfirmed"));
                await stop.CancelAsync();
                await Task.WhenAll(runLeader, runStandby);
            }
        }
        finally
        {
            foreach (EtcdServer member in members)
            {
                member.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_write_as_leader_from_a_balancer_that_does_not_lead_is_fenced()
    {
        (BalancerEngine a, EtcdDesiredStateStore store, _) = Balancer("a");
        await using (a)
        {
            await Assert.ThrowsAsync<DesiredStateFencedException>(() => a.ChangeAsync((state, _) => state with { Services = [Service("web", 1)] }, asLeader: true));
            store.LeaderTerm = 12345; // a term that is not the leader key's
            await Assert.ThrowsAsync<DesiredStateFencedException>(() => a.ChangeAsync((state, _) => state with { Services = [Service("web", 1)] }, asLeader: true));
            Assert.Empty(Reader().Load().Services);
        }
    }

    public void Dispose()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        _etcd.Dispose();
        _folder.Delete(recursive: true);
    }

    private (BalancerEngine Engine, EtcdDesiredStateStore Store, MemoryIpvsKernel Kernel) Balancer(string node, string? endpoints = null)
    {
        var etcd = EtcdConnection.Open(endpoints ?? _etcd.ClientUrl, TimeSpan.FromSeconds(1));
        _owned.Add(etcd);
        var store = new EtcdDesiredStateStore(etcd, _keys, node, FileDesiredStateStore.Open(Path.Combine(_folder.FullName, node + ".json"), TimeSpan.FromSeconds(1)));
        var kernel = new MemoryIpvsKernel();
        return (BalancerEngine.Start(store, kernel), store, kernel);
    }

    private EtcdDesiredStateStore Reader(string? endpoints = null)
    {
        var etcd = EtcdConnection.Open(endpoints ?? _etcd.ClientUrl, TimeSpan.FromSeconds(1));
        var store = new EtcdDesiredStateStore(etcd, _keys, "reader", FileDesiredStateStore.Open(Path.Combine(_folder.FullName, $"reader-{Guid.NewGuid():N}.json"), TimeSpan.FromSeconds(1)));
        _owned.Add(store);
        _owned.Add(etcd);
        return store;
    }

    // What the daemon's cluster service does: watch from the store's revision and adopt each batch.
    private static async Task FollowAsync(BalancerEngine engine, EtcdDesiredStateStore store, CancellationToken cancellationToken)
    {
        using var etcd = EtcdConnection.Open(store.Description.Split(' ')[1], TimeSpan.FromSeconds(1));
        try
        {
            await foreach (EtcdWatchBatch batch in etcd.WatchAsync(store.Keys.State, store.Revision + 1, cancellationToken))
            {
                await engine.AdoptAsync(() => store.Apply(batch));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    // Etcd is back, and the client reconnects within a second or so.
    private static async Task UntilAccepted(Func<Task> change)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await change();
                return;
            }
            catch (DesiredStateUnavailableException) when (clock.Elapsed < Bound)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Bound, "the condition did not hold in time");
            await Task.Delay(50);
        }
    }

    private static DesiredService Service(string name, int i) => new(
        name, new IpvsService { Key = Samples.Tcp($"198.18.0.{i}", 80), Scheduler = "rr" }, [Samples.Destination($"198.19.0.{i}", 80)]);
}
