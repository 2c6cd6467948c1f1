using System.Diagnostics;
using System.Net;
using System.Text;
using Fusis.Core.Bgp;
using Fusis.Core.Model;

namespace Fusis.Lab.Tests;

/// <summary>
/// Announcing VIPs over BGP with Debian's BIRD 2 (the first part of active/active, #14): two balancers' BIRDs, each
/// configured by <see cref="BgpSpeaker"/>, peer with a router namespace whose BIRD installs equal-cost multipath
/// routes. The router routes a VIP both hold over both; a VIP taken off one balancer's interface leaves the router
/// (timed); a reload adds a range without resetting the sessions; a balancer cut off silently leaves within the hold
/// time. <see cref="BirdControl"/> reads every session from BIRD's own control socket.
/// </summary>
public sealed class BgpLabTests : IDisposable
{
    private const string Vip = "198.18.100.1";
    private const string Outside = "198.18.200.1";

    private static readonly IPAddress[] Announced = [IPAddress.Parse(Vip), IPAddress.Parse(Outside)];
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-bgp-");
    private readonly List<Process> _birds = [];
    private readonly StringBuilder _log = new();

    public void Dispose()
    {
        foreach (Process bird in _birds.Where(b => !b.HasExited))
        {
            bird.Kill();
            bird.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Two_balancers_announce_a_vip_that_the_router_routes_over_both_and_each_withdraws_it_by_letting_it_go()
    {
        using var router = new LabNamespace();
        using var b1 = new LabNamespace();
        using var b2 = new LabNamespace();
        router.Exec("ip link add br0 type bridge");
        router.Exec("ip addr add 198.18.9.1/24 dev br0");
        router.Exec("ip link set br0 up");
        var speakers = new List<(LabNamespace Ns, string Address, BgpSpeaker Speaker)>();
        foreach ((LabNamespace ns, int host) in new[] { (b1, 2), (b2, 3) })
        {
            router.Exec($"ip link add r{host} type veth peer name eth0 netns {ns.Name}");
            router.Exec($"ip link set r{host} master br0");
            router.Exec($"ip link set r{host} up");
            ns.Exec($"ip addr add 198.18.9.{host}/24 dev eth0");
            ns.Exec("ip link set eth0 up");
            ns.Exec("ip link add fusis0 type dummy");
            ns.Exec("ip link set fusis0 up");
            ns.Exec($"ip addr add {Vip}/32 dev fusis0");
            ns.Exec($"ip addr add {Outside}/32 dev fusis0"); // on the interface, outside the VIP ranges: never announced
            speakers.Add((ns, $"198.18.9.{host}", new BgpSpeaker(
                65001, IPAddress.Parse($"198.18.9.{host}"), "fusis0", [IPNetwork.Parse("198.18.100.0/24")], [new BgpPeer(IPAddress.Parse("198.18.9.1"), 65000)])));
        }

        string routerSocket = StartBird(router, "router", $$"""
            router id 198.18.9.1;
            log stderr all;
            timeformat protocol iso long;
            protocol device { scan time 1; }
            protocol kernel { ipv4 { export all; }; merge paths on; }
            protocol bgp b1 { local as 65000; neighbor 198.18.9.2 as 65001; hold time 3; ipv4 { import all; export none; }; }
            protocol bgp b2 { local as 65000; neighbor 198.18.9.3 as 65001; hold time 3; ipv4 { import all; export none; }; }
            """);
        string[] sockets = [.. speakers.Select((s, i) => StartBird(s.Ns, $"b{i + 1}", s.Speaker.ToBirdConfiguration(Announced)))];

        using BirdControl routerControl = await ConnectAsync(routerSocket);
        using BirdControl b1Control = await ConnectAsync(sockets[0]);
        ClusterLab.WaitFor("both sessions established at the router", TimeSpan.FromSeconds(90),
            () => Sessions(routerControl).Count(s => s.Established) == 2, () => $"{Describe(routerControl)}\n{Log()}");
        TimeSpan bothPaths = ClusterLab.WaitFor("the VIP routed over both balancers", TimeSpan.FromSeconds(30), () => NextHops(router, Vip).Count == 2,
            () => $"{router.Exec($"ip route show {Vip}", check: false)}\n{Log()}");
        Assert.Equal(["198.18.9.2", "198.18.9.3"], NextHops(router, Vip));
        Assert.Empty(router.Exec($"ip route show {Outside}").Trim()); // the interface's other address stays unannounced

        FusisBgpSession b1Session = Assert.Single(Sessions(b1Control));
        Assert.True(b1Session.Established, Describe(b1Control));
        Assert.Equal("198.18.9.1", b1Session.Peer);
        Assert.Equal(1, b1Session.Announced);
        Assert.NotNull(b1Session.Since);

        // Taking the VIP off b1's interface withdraws it from b1 only.
        b1.Exec($"ip addr del {Vip}/32 dev fusis0");
        TimeSpan withdrawn = ClusterLab.WaitFor("b1's path withdrawn", TimeSpan.FromSeconds(20), () => NextHops(router, Vip) is ["198.18.9.3"],
            () => router.Exec($"ip route show {Vip}", check: false));
        b1.Exec($"ip addr add {Vip}/32 dev fusis0");
        TimeSpan announced = ClusterLab.WaitFor("b1's path back", TimeSpan.FromSeconds(20), () => NextHops(router, Vip).Count == 2);

        // A reload (BIRD's configure) that adds a range announces what it admits, without resetting the session.
        BgpSpeaker wider = speakers[0].Speaker with { VipRanges = [IPNetwork.Parse("198.18.100.0/24"), IPNetwork.Parse("198.18.200.0/24")] };
        string configuration = Path.Combine(_folder.FullName, "b1.conf");
        await File.WriteAllTextAsync(configuration, wider.ToBirdConfiguration(Announced));
        await b1Control.ConfigureAsync(configuration);
        ClusterLab.WaitFor("the wider range announced", TimeSpan.FromSeconds(20), () => NextHops(router, Outside) is ["198.18.9.2"],
            () => router.Exec($"ip route show {Outside}", check: false));

        // Left out of the announced set, a VIP still on the interface is withdrawn (a drain: the balancer forwards what still arrives).
        await File.WriteAllTextAsync(configuration, wider.ToBirdConfiguration([IPAddress.Parse(Outside)]));
        await b1Control.ConfigureAsync(configuration);
        TimeSpan filtered = ClusterLab.WaitFor("b1's path withdrawn by the filter", TimeSpan.FromSeconds(20), () => NextHops(router, Vip) is ["198.18.9.3"],
            () => router.Exec($"ip route show {Vip}", check: false));
        Assert.Equal(b1Session.Since, Assert.Single(Sessions(b1Control)).Since);
        await File.WriteAllTextAsync(configuration, wider.ToBirdConfiguration(Announced));
        await b1Control.ConfigureAsync(configuration);
        ClusterLab.WaitFor("b1's path back in the announced set", TimeSpan.FromSeconds(20), () => NextHops(router, Vip).Count == 2);
        await Assert.ThrowsAsync<BirdCommandException>(() => b1Control.CommandAsync("show nonsense"));

        // A balancer cut off without a word (its link down: no TCP close reaches the router) leaves the router once the
        // hold time has passed.
        b2.Exec("ip link set eth0 down");
        TimeSpan dead = ClusterLab.WaitFor("b2's path gone after its link went down", TimeSpan.FromSeconds(30), () => NextHops(router, Vip) is ["198.18.9.2"],
            () => router.Exec($"ip route show {Vip}", check: false));
        Assert.True(dead < TimeSpan.FromSeconds(3 + 4), $"b2's route stayed {dead.TotalSeconds:0.0} s (hold time 3 s)");
        Console.WriteLine(
            $"bgp: both paths {bothPaths.TotalSeconds:0.00} s after the sessions came up; withdrawn from the router {withdrawn.TotalMilliseconds:0} ms after " +
            $"the VIP left b1's interface, back {announced.TotalMilliseconds:0} ms after it returned, withdrawn {filtered.TotalMilliseconds:0} ms after a reload left it out; a silent balancer's route gone after {dead.TotalSeconds:0.00} s (hold time 3 s)");
    }

    // The router's next hops for an address, in order ("ip route show": one "via", or a "nexthop via" line each for ECMP).
    private static List<string> NextHops(LabNamespace router, string address)
    {
        string[] words = router.Exec($"ip route show {address}", check: false).Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return [.. words.Select((word, at) => (word, at)).Where(w => w.word == "via" && w.at + 1 < words.Length).Select(w => words[w.at + 1]).Order(StringComparer.Ordinal)];
    }

    private static IReadOnlyList<FusisBgpSession> Sessions(BirdControl control) => control.GetBgpSessionsAsync().GetAwaiter().GetResult();

    private static string Describe(BirdControl control) =>
        string.Join("\n", control.CommandAsync("show protocols").GetAwaiter().GetResult().Select(l => $"{l.Code} {l.Text}"));

    private static async Task<BirdControl> ConnectAsync(string socket)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await BirdControl.ConnectAsync(socket);
            }
            catch (System.Net.Sockets.SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }

    private string StartBird(LabNamespace ns, string name, string configuration)
    {
        string path = Path.Combine(_folder.FullName, $"{name}.conf");
        string socket = Path.Combine(_folder.FullName, $"{name}.ctl");
        File.WriteAllText(path, configuration);
        _birds.Add(ClusterLab.StartIn(ns.Name, "bird", ["-f", "-c", path, "-s", socket, "-P", Path.Combine(_folder.FullName, $"{name}.pid")], line =>
        {
            if (line is not null)
            {
                lock (_log)
                {
                    _log.AppendLine($"[{name}] {line}");
                }
            }
        }));
        return socket;
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }
}
