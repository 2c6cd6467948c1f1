using System.Diagnostics;

namespace Fusis.Lab.Tests;

/// <summary>
/// `fusis agent` with a direct-routing service, in a namespace of its own, against a serf member that plays the
/// balancer's part in tags (fusis-role=balancer, fusis-vips): the agent puts the VIP on lo and sets the ARP
/// sysctls; on SIGTERM it drains (bounded: nothing answers its query here), leaves, and undoes both. It starts
/// its own serf (--serf), or attaches to one already running at --serf-rpc.
/// </summary>
public sealed class AgentNetworkLabTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_direct_routing_agent_configures_the_vip_on_lo_and_undoes_it_on_stop(bool attachToRunningSerf)
    {
        using var ns = new LabNamespace();
        ns.Exec("ip link add dummy0 type dummy");
        ns.Exec("ip addr add 198.18.91.1/24 dev dummy0");
        ns.Exec("ip addr add 198.18.91.2/24 dev dummy0");
        ns.Exec("ip link set dummy0 up");
        string arpBefore = ns.Exec("cat /proc/sys/net/ipv4/conf/all/arp_ignore").Trim();
        using Process balancer = Start(ns, "serf", "agent", "-node=lb", "-bind=198.18.91.1", "-rpc-addr=127.0.0.1:7374", "-log-level=warn",
            "-tag=fusis-role=balancer", "-tag=fusis-vips=web=198.18.90.1");
        // Started before the balancer's serf may listen: it retries the join rather than exit.
        using Process? running = attachToRunningSerf
            ? Start(ns, "serf", "agent", "-node=b1", "-bind=198.18.91.2", "-rpc-addr=127.0.0.1:7373", "-retry-join=198.18.91.1", "-retry-interval=1s", "-log-level=warn")
            : null;
        Process? agent = null;
        try
        {
            if (running is not null)
            {
                ClusterLab.WaitFor("b1's own serf in the cluster", TimeSpan.FromSeconds(60), () => ns.Exec("serf members -rpc-addr=127.0.0.1:7374", check: false).Contains("b1", StringComparison.Ordinal));
            }

            string[] serf = attachToRunningSerf ? [] : ["--serf", "/usr/bin/serf", "--node", "b1", "--bind", "198.18.91.2", "--join", "198.18.91.1"];
            agent = Start(ns, ClusterLab.Daemon, ["agent", .. serf, "--serf-rpc", "127.0.0.1:7373", "--drain-timeout", "00:00:02", "--service", "web:8080:1:route"]);
            ClusterLab.WaitFor("the VIP on lo", TimeSpan.FromSeconds(90), () => ns.Exec("ip -o addr show dev lo").Contains("198.18.90.1/32", StringComparison.Ordinal));
            Assert.Equal("1", ns.Exec("cat /proc/sys/net/ipv4/conf/all/arp_ignore").Trim());
            Assert.Equal("2", ns.Exec("cat /proc/sys/net/ipv4/conf/lo/arp_announce").Trim());
            Assert.Contains("fusis-services=web:8080:1:route", ns.Exec("serf members -rpc-addr=127.0.0.1:7374 -detailed"), StringComparison.Ordinal);

            LabKernel.Run("kill", $"-TERM {agent.Id}");
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(60)), "the agent did not stop on SIGTERM");

            Assert.Equal(0, agent.ExitCode);
            Assert.DoesNotContain("198.18.90.1", ns.Exec("ip -o addr show dev lo"), StringComparison.Ordinal);
            Assert.Equal(arpBefore, ns.Exec("cat /proc/sys/net/ipv4/conf/all/arp_ignore").Trim());
            ClusterLab.WaitFor("b1 left", TimeSpan.FromSeconds(30), () => ns.Exec("serf members -rpc-addr=127.0.0.1:7374").Contains("left", StringComparison.Ordinal));
        }
        finally
        {
            foreach (Process process in new[] { agent, balancer, running }.OfType<Process>().Where(p => !p.HasExited))
            {
                process.Kill(entireProcessTree: true);
            }

            agent?.Dispose();

            ns.Exec("pkill -KILL -f 'serf agent -node=b1'", check: false);
        }
    }

    private static Process Start(LabNamespace ns, string program, params string[] arguments) => ClusterLab.StartIn(ns.Name, program, arguments, _ => { });
}
