using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusis.Lab.Tests;

/// <summary>
/// `fusis balancer` against the real kernel (in the lab's root namespace, on addresses of its own): API writes in
/// ipvsadm, kill -9 and restart under a live connection, services it does not own left alone, drift repaired.
/// </summary>
public sealed class DaemonLabTests
{
    [Fact]
    public void Api_writes_reach_the_kernel_a_kill_and_restart_keeps_the_table_and_a_live_connection_and_drift_is_repaired()
    {
        LabKernel.RequireIpvs();
        LabKernel.Run("ip", "addr add 198.18.80.1/32 dev lo");
        LabKernel.Run("ip", "addr add 198.18.80.2/32 dev lo");
        LabKernel.Run("ipvsadm", "-A -t 198.18.80.9:80 -s rr"); // someone else's
        using var backend = new TcpListener(IPAddress.Parse("198.18.80.2"), 8080);
        backend.Start();
        using var daemon = new LabDaemon(TimeSpan.FromSeconds(2));
        try
        {
            TimeSpan firstStart = daemon.Start();
            using (HttpResponseMessage created = daemon.Send(HttpMethod.Post, "/services",
                """{"Name":"web","Address":"198.18.80.1","Port":80,"Scheduler":"rr","Destinations":[{"Name":"b1","Address":"198.18.80.2","Port":8080,"Weight":3}]}"""))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            Assert.Matches(@"-A -t 198\.18\.80\.1:80 -s rr\n-a -t 198\.18\.80\.1:80 -r 198\.18\.80\.2:8080 -m -w 3\n", Save("198.18.80.1:80"));

            // A long-lived connection through the VIP, to the backend.
            using var client = new TcpClient();
            client.Connect(IPAddress.Parse("198.18.80.1"), 80);
            using TcpClient accepted = backend.AcceptTcpClient();
            Exchange(client, accepted, "before");

            string before = LabKernel.Run("ipvsadm", "-S -n");
            daemon.Kill();
            Thread.Sleep(TimeSpan.FromSeconds(3)); // longer than a reconcile period: nothing may change while it is down
            Assert.Equal(before, LabKernel.Run("ipvsadm", "-S -n"));
            Exchange(client, accepted, "during the outage");

            // Drift made while it was down (an owned service edited) is converged at start.
            LabKernel.Run("ipvsadm", "-E -t 198.18.80.1:80 -s sh");
            TimeSpan restart = daemon.Start();
            Assert.Matches(@"-A -t 198\.18\.80\.1:80 -s rr\n", Save("198.18.80.1:80"));
            Exchange(client, accepted, "after the restart");

            // Drift made while it runs is repaired within a reconcile period (2 s; allow for emulation).
            LabKernel.Run("ipvsadm", "-e -t 198.18.80.1:80 -r 198.18.80.2:8080 -m -w 1");
            WaitFor(() => Save("198.18.80.1:80").Contains("-w 3", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

            Assert.Equal("-A -t 198.18.80.9:80 -s rr\n", Save("198.18.80.9:80"));
            Assert.Contains("198.18.80.9:80 is not owned by Fusis; it is left alone", daemon.Log, StringComparison.Ordinal);
            Assert.Equal(0, daemon.Terminate());
            Assert.Contains("-A -t 198.18.80.1:80 -s rr", LabKernel.Run("ipvsadm", "-S -n"), StringComparison.Ordinal);
            Console.WriteLine($"daemon: first start to /health {firstStart.TotalSeconds:0.0} s, restart {restart.TotalSeconds:0.0} s (emulated)");
        }
        finally
        {
            LabKernel.Run("ipvsadm", "-D -t 198.18.80.1:80", check: false);
            LabKernel.Run("ipvsadm", "-D -t 198.18.80.9:80", check: false);
            LabKernel.Run("ip", "addr del 198.18.80.1/32 dev lo", check: false);
            LabKernel.Run("ip", "addr del 198.18.80.2/32 dev lo", check: false);
        }
    }

    // The lines of `ipvsadm -S -n` for one service, in order.
    private static string Save(string service)
    {
        var lines = LabKernel.Run("ipvsadm", "-S -n").Split('\n').Where(l => l.Contains($" {service}", StringComparison.Ordinal));
        return string.Concat(lines.Select(l => l + "\n"));
    }

    private static void Exchange(TcpClient client, TcpClient server, string when)
    {
        client.ReceiveTimeout = server.ReceiveTimeout = 10_000;
        byte[] ping = Encoding.ASCII.GetBytes($"ping {when}\n");
        client.GetStream().Write(ping);
        byte[] received = new byte[ping.Length];
        server.GetStream().ReadExactly(received);
        Assert.Equal(ping, received);
        server.GetStream().Write(received);
        client.GetStream().ReadExactly(received);
        Assert.Equal(ping, received);
    }

    private static void WaitFor(Func<bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not repaired within {limit.TotalSeconds} s");
            Thread.Sleep(250);
        }
    }
}
