using System.Globalization;
using System.Net;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>Info, timeouts, sync daemons, counters, zero and flush against the real kernel and ipvsadm.</summary>
public sealed class IpvsConfigurationTests
{
    [Fact]
    public void Info_matches_the_kernels_own_version_line()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        IpvsInfo info = ipvs.GetInfo();

        Assert.Equal($"IP Virtual Server version {info.Version} (size={info.ConnectionTableSize})", ProcNetIpVs.VersionLine());
    }

    [Fact]
    public void Timeouts_round_trip_both_ways_and_zero_leaves_a_value_alone()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        ipvs.SetTimeouts(new IpvsTimeouts(800, 100, 200));
        Assert.Equal("Timeout (tcp tcpfin udp): 800 100 200", ns.Ipvsadm("-L --timeout").Trim());

        ns.Ipvsadm("--set 700 0 250");
        Assert.Equal(new IpvsTimeouts(700, 100, 250), ipvs.GetTimeouts());
    }

    [Fact]
    public void Sync_daemons_start_list_and_stop_as_ipvsadm_sees_them()
    {
        using var ns = new LabNamespace();
        ns.Exec("ip link add fsync0 type dummy");
        ns.Exec("ip addr add 198.18.9.1/24 dev fsync0");
        ns.Exec("ip link set fsync0 up multicast on");
        using IpvsClient ipvs = ns.OpenIpvs();

        ipvs.StartSyncDaemon(new IpvsSyncDaemon { State = IpvsSyncDaemonState.Master, Interface = "fsync0", SyncId = 5 });
        ns.Ipvsadm("--start-daemon backup --mcast-interface fsync0 --syncid 6 --sync-maxlen 1000 --mcast-group 224.0.0.100 --mcast-port 8900 --mcast-ttl 3");

        IReadOnlyList<IpvsSyncDaemon> daemons = ipvs.GetSyncDaemons();
        string listed = ns.Ipvsadm("-L --daemon");

        IpvsSyncDaemon master = Assert.Single(daemons, d => d.State == IpvsSyncDaemonState.Master);
        Assert.Equal(("fsync0", 5u), (master.Interface, master.SyncId));
        IpvsSyncDaemon backup = Assert.Single(daemons, d => d.State == IpvsSyncDaemonState.Backup);
        // The kernel rounds the requested maximum length (1000 -> 1024 here): compare with what ipvsadm lists.
        Assert.Equal((6u, IPAddress.Parse("224.0.0.100"), (ushort)8900, (byte)3),
            (backup.SyncId, backup.MulticastGroup, backup.MulticastPort, backup.MulticastTtl));
        foreach (IpvsSyncDaemon daemon in daemons)
        {
            string state = daemon.State.ToString().ToLowerInvariant();
            Assert.Contains(
                $"{state} sync daemon (mcast={daemon.Interface}, syncid={daemon.SyncId}, maxlen={daemon.MaxLength}, " +
                $"group={daemon.MulticastGroup}, port={daemon.MulticastPort}, ttl={daemon.MulticastTtl})",
                listed,
                StringComparison.Ordinal);
        }

        ipvs.StopSyncDaemon(IpvsSyncDaemonState.Master);
        ipvs.StopSyncDaemon(IpvsSyncDaemonState.Backup);
        Assert.Empty(ipvs.GetSyncDaemons());
        Assert.DoesNotContain("sync daemon", ns.Ipvsadm("-L --daemon"), StringComparison.Ordinal);
    }

    [Fact]
    public void Counters_match_ipvsadm_after_real_traffic_and_zero_clears_them()
    {
        using var ns = new LabNamespace();
        // A VIP and a local real server in one namespace: a local client's connections go through IPVS.
        ns.Exec("ip addr add 198.18.5.1/32 dev lo");
        ns.Exec("ip addr add 198.18.5.2/32 dev lo");
        ns.Exec("mkdir -p /tmp/fusis-www");
        File.WriteAllText("/tmp/fusis-www/index.html", "hello from the lab\n");
        ns.Exec("busybox httpd -p 198.18.5.2:8080 -h /tmp/fusis-www");
        using IpvsClient ipvs = ns.OpenIpvs();
        IpvsServiceKey key = IpvsRoundTripTests.Key("198.18.5.1", 80);
        ipvs.AddService(new IpvsService { Key = key, Scheduler = "rr" });
        ipvs.AddDestination(key, new IpvsDestination { Address = IPAddress.Parse("198.18.5.2"), Port = 8080 });

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("hello from the lab", ns.Exec("curl -sS --max-time 10 http://198.18.5.1/").Trim());
        }

        // Kernel 6.1 folds its per-CPU counters into the reported ones on the 2-second estimator tick.
        IpvsStatistics stats = WaitFor(() => ipvs.GetService(key)!.Statistics!, s => s.Connections == 3);
        Assert.Equal(3UL, stats.Connections);
        AssertSameAsIpvsadm(ns, "198.18.5.1:80", () => ipvs.GetService(key)!.Statistics!);
        AssertSameAsIpvsadm(ns, "198.18.5.2:8080", () => Assert.Single(ipvs.GetDestinations(key)).Statistics!);

        ipvs.ZeroStatistics(key);

        Assert.Equal(0UL, ipvs.GetService(key)!.Statistics!.Connections);
        Assert.Equal(new ulong[5], IpvsStatsColumns(ns, "--stats", "198.18.5.1:80"));
        ns.Exec("pkill -f 'busybox httpd -p 198.18.5.2:8080'", check: false);
    }

    [Fact]
    public void Flush_empties_this_namespace_only()
    {
        using var ns = new LabNamespace();
        using var other = new LabNamespace();
        ns.Ipvsadm("-A -t 198.18.0.1:80 -s rr");
        other.Ipvsadm("-A -t 198.18.0.1:80 -s rr");
        using IpvsClient ipvs = ns.OpenIpvs();

        ipvs.Flush();

        Assert.Empty(ns.IpvsadmSave());
        Assert.Equal(["-A -t 198.18.0.1:80 -s rr"], other.IpvsadmSave());
    }

    // Reads ipvsadm between two reads of ours; when ours did not change meanwhile (no estimator tick), all three must agree.
    private static void AssertSameAsIpvsadm(LabNamespace ns, string endPoint, Func<IpvsStatistics> read)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            IpvsStatistics before = read();
            ulong[] counters = IpvsStatsColumns(ns, "--stats", endPoint);
            ulong[] rates = IpvsStatsColumns(ns, "--rate", endPoint);
            IpvsStatistics after = read();
            if (before == after)
            {
                Assert.Equal(counters, new[] { after.Connections, after.IncomingPackets, after.OutgoingPackets, after.IncomingBytes, after.OutgoingBytes });
                Assert.Equal(rates, new[]
                {
                    after.ConnectionsPerSecond, after.IncomingPacketsPerSecond, after.OutgoingPacketsPerSecond,
                    after.IncomingBytesPerSecond, after.OutgoingBytesPerSecond,
                });
                return;
            }
        }

        Assert.Fail($"the counters of {endPoint} never held still for one comparison");
    }

    private static T WaitFor<T>(Func<T> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        T value = read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(250);
            value = read();
        }

        Assert.True(done(value), $"condition not reached in 20 s; last value {value}");
        return value;
    }

    // The five numbers of one line of `ipvsadm -Ln --stats --exact` (Conns InPkts OutPkts InBytes OutBytes)
    // or `--rate` (CPS InPPS OutPPS InBPS OutBPS).
    private static ulong[] IpvsStatsColumns(LabNamespace ns, string view, string endPoint)
    {
        string line = ns.Ipvsadm($"-Ln {view} --exact").Split('\n').Single(l => l.Contains($" {endPoint} ", StringComparison.Ordinal));
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields[^5..].Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    }
}
