using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Fusis.Netlink.Route;
using Fusis.TestSupport;

namespace Fusis.Lab.Tests;

/// <summary>
/// A cluster of balancers on one L2 segment (a bridge in namespace "fh-sw", 198.18.10.0/24): the root namespace is the
/// client (.2), "fh-etcd" runs a real etcd (.5), "fh-lbN" run `fusis balancer --etcd` (.1N), and the direct-routing
/// backends "fh-bN" (.2N) hold the VIP on lo and answer the client themselves. The VIP (.100) is on the segment,
/// so the client finds its holder by ARP: a failover works only when the new leader announces it.
/// </summary>
internal sealed class HaLab : IDisposable
{
    public const string Token = "ha-token-0123456789abcdef";
    public const string Vip = "198.18.10.100";
    public const int Balancers = 3;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-ha-");
    private readonly List<string> _namespaces = [];
    private readonly LabProcesses _processes = new();

    public HaLab()
    {
        LabKernel.RequireIpvs();
        Namespace("fh-sw");
        Sh("ip -n fh-sw link add br0 type bridge && ip -n fh-sw link set br0 up");
        Sh("ip link add fh-c type veth peer name c netns fh-sw && ip -n fh-sw link set c master br0 && ip -n fh-sw link set c up");
        Sh("ip addr add 198.18.10.2/24 dev fh-c && ip link set fh-c up");
        Attach("fh-etcd", "198.18.10.5");
        for (int n = 1; n <= 2; n++)
        {
            string ns = $"fh-b{n}";
            Attach(ns, $"198.18.10.2{n}");
            // Direct routing: the VIP is local here, but only the balancer answers ARP for it.
            Sh($"ip -n {ns} addr add {Vip}/32 dev lo");
            Sh($"ip netns exec {ns} sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2");
            string www = Path.Combine(_folder.FullName, $"www-b{n}");
            Directory.CreateDirectory(www);
            File.WriteAllText(Path.Combine(www, "index.html"), $"b{n}\n");
            using (FileStream big = File.Create(Path.Combine(www, "big")))
            {
                big.SetLength(BigFileBytes);
            }

            Start($"http-b{n}", ns, "busybox", "httpd", "-f", "-p", "80", "-h", www);
        }

        for (int n = 1; n <= Balancers; n++)
        {
            Attach($"fh-lb{n}", $"198.18.10.1{n}");
        }

        File.WriteAllText(TokenFile, Token);
        Etcd = EtcdServer.Start("198.18.10.5", ["ip", "netns", "exec", "fh-etcd"]);
        for (int n = 1; n <= Balancers; n++)
        {
            StartBalancer(n);
        }

        for (int n = 1; n <= Balancers; n++)
        {
            WaitForApi(n);
        }

        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
        {
            Timeout = TimeSpan.FromSeconds(2),
        };
    }

    public const int BigFileBytes = 3 * 1024 * 1024;

    /// <summary>
    /// 5 s, not the default 3: under emulation three daemons, etcd and the client share two slow CPUs, and etcd round
    /// trips of over a second made 3 s leaders step down for want of a renewal (each time safely, but flapping).
    /// </summary>
    public const string LeaseTtl = "00:00:05";

    public EtcdServer Etcd { get; }

    /// <summary>New connection per request, short timeouts: for streams of requests through the VIP.</summary>
    public HttpClient Http { get; }

    public string TokenFile => Path.Combine(_folder.FullName, "token");

    public string Log => _processes.Log;

    public static string Api(int n) => $"http://198.18.10.1{n}:8000";

    public static string Namespace(int n) => $"fh-lb{n}";

    /// <summary>Starts balancer N (again, after a kill: same state file and name).</summary>
    public void StartBalancer(int n) => Start($"lb{n}", Namespace(n), ClusterLab.Daemon, ["balancer", .. BalancerArguments(n)]);

    /// <summary>
    /// Balancer N's process crashes (kill -9; its host and link stay), then what its unit runs after any stop:
    /// `fusis balancer --release-vips` with the same settings. Returns what that printed.
    /// </summary>
    public string CrashAndRelease(int n)
    {
        Process process = _processes[$"lb{n}"];
        process.Kill();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"lb{n} did not die");
        return LabKernel.Run("ip", $"netns exec {Namespace(n)} {ClusterLab.Daemon} balancer --release-vips {string.Join(' ', BalancerArguments(n))}", timeout: TimeSpan.FromMinutes(2));
    }

    private string[] BalancerArguments(int n) =>
    [
        "--listen", $"198.18.10.1{n}:8000", "--token-file", TokenFile,
        "--state", Path.Combine(_folder.FullName, $"lb{n}.json"), "--local-socket", Path.Combine(_folder.FullName, $"lb{n}.sock"),
        "--vip-interface", "fusis0", "--etcd", Etcd.ClientUrl, "--node", $"lb{n}", "--lease-ttl", LeaseTtl,
        "--sync-interface", "eth0", "--reconcile-interval", "00:00:10",
    ];

    public void WaitForApi(int n) => ClusterLab.WaitFor($"balancer lb{n}'s API", TimeSpan.FromSeconds(120), () => Cluster(n) is not null);

    /// <summary>A planned stop of balancer N: SIGTERM, as systemctl stop sends, and its exit (bounded).</summary>
    public void Terminate(int n)
    {
        Process process = _processes[$"lb{n}"];
        LabKernel.Run("kill", $"-TERM {process.Id}"); // ip netns exec replaced itself with the balancer: the pid is its
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"lb{n} did not stop within 60 s of SIGTERM");
    }

    /// <summary>
    /// Balancer N's host dies: its link off the segment, then kill -9 of the balancer (a process that merely crashes
    /// leaves its kernel forwarding, with the VIP, until systemd restarts it as a standby). The link goes first, so
    /// the host stops forwarding and renewing at one moment: killed first, its kernel would go on serving while the
    /// lease runs down, and a failover would look shorter than it is.
    /// </summary>
    public void Kill(int n)
    {
        Process process = _processes[$"lb{n}"];
        Sh($"ip -n {Namespace(n)} link set eth0 down");
        process.Kill();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"lb{n} did not die");
    }

    /// <summary>
    /// Balancer N's host comes back as a rebooted host does: no VIP interface, an empty IPVS table, then its link and
    /// `fusis balancer` (the same state file and name).
    /// </summary>
    public void Revive(int n)
    {
        Sh($"ip -n {Namespace(n)} link del fusis0", check: false);
        Sh($"ip netns exec {Namespace(n)} ipvsadm -C");
        Sh($"ip -n {Namespace(n)} link set eth0 up");
        StartBalancer(n);
        WaitForApi(n);
    }

    /// <summary>The balancers' last cluster events (roles, etcd, VIP moves) and last lines, for a failure's message.</summary>
    public string Tail(int lines = 40)
    {
        string[] all = Log.Split('\n');
        string[] cluster = all.Where(l => l.Contains("cluster:", StringComparison.Ordinal) || l.Contains("VIP ", StringComparison.Ordinal)).ToArray();
        return string.Join('\n', [.. cluster[Math.Max(0, cluster.Length - 80)..], "...", .. all[Math.Max(0, all.Length - lines)..]]);
    }

    /// <summary>Each balancer's cluster metrics and cluster events, for a failure's message.</summary>
    public string Diagnose()
    {
        var text = new StringBuilder();
        for (int n = 1; n <= Balancers; n++)
        {
            try
            {
                using HttpClient http = Reader(TimeSpan.FromSeconds(5));
                string metrics = http.GetStringAsync(new Uri($"{Api(n)}/metrics")).GetAwaiter().GetResult();
                text.Append($"lb{n}: ").AppendJoin(' ', metrics.Split('\n').Where(l => l.StartsWith("fusis_cluster_", StringComparison.Ordinal))).AppendLine();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                text.AppendLine($"lb{n}: no metrics ({e.Message})");
            }
        }

        return text.Append(Tail()).ToString();
    }

    /// <summary>GET /cluster of balancer N; null when it does not answer.</summary>
    public static JsonElement? Cluster(int n) => LabApi.Cluster(Api(n), Token, TimeSpan.FromSeconds(2));

    /// <summary>The balancer that reports itself leader (the first that does), or 0.</summary>
    public static int Leader() => Enumerable.Range(1, Balancers).FirstOrDefault(n => Cluster(n) is { } c && c.GetProperty("Role").GetString() == "leader");

    /// <summary>The balancers whose fusis0 holds the VIP now (read through each namespace's rtnetlink, no process started).</summary>
    public static List<int> Holders()
    {
        var holders = new List<int>();
        for (int n = 1; n <= Balancers; n++)
        {
            try
            {
                using RtnetlinkClient links = RtnetlinkClient.Open($"/run/netns/{Namespace(n)}");
                if (links.GetLink("fusis0") is not null && links.GetAddresses("fusis0").Any(a => a.Address.Equals(IPAddress.Parse(Vip))))
                {
                    holders.Add(n);
                }
            }
            catch (Fusis.Netlink.NetlinkException)
            {
                // No such interface yet.
            }
        }

        return holders;
    }

    /// <summary>`ipvsadm -S -n` in balancer N's namespace.</summary>
    public static string Table(int n) => LabKernel.Run("ip", $"netns exec {Namespace(n)} ipvsadm -S -n");

    /// <summary>A client for the balancers' read routes, which beyond loopback need the token too.</summary>
    public static HttpClient Reader(TimeSpan timeout) => LabApi.Client(Token, timeout);

    /// <summary>A write through balancer N's API; the status and body.</summary>
    public static (HttpStatusCode Status, string Body) Send(int n, HttpMethod method, string path, string? json) => LabApi.Send(Api(n), Token, method, path, json);

    /// <summary>One request to the VIP on a new connection: the backend's answer, or null.</summary>
    public string? Request()
    {
        try
        {
            return Http.GetStringAsync(new Uri($"http://{Vip}/")).GetAwaiter().GetResult().Trim();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Downloads /big through the VIP, reading slowly into a small window so the transfer lasts seconds and needs the
    /// balancer (DR: the client's ACKs pass it) the whole time; true when every byte arrived.
    /// </summary>
    public static async Task<bool> SlowDownloadAsync(TimeSpan limit)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(Vip), 80, deadline.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /big HTTP/1.0\r\n\r\n"), deadline.Token);
            var buffer = new byte[8192];
            long total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer, deadline.Token)) > 0)
            {
                total += read;
                await Task.Delay(10, deadline.Token);
            }

            return total > BigFileBytes; // the headers and the whole body
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public static void Sh(string command, bool check = true) => LabKernel.Run("sh", $"-c \"{command}\"", check);

    public void Dispose()
    {
        _processes.Dispose();
        Etcd.Dispose();
        Http.Dispose();
        Sh("ip link del fh-c", check: false);
        foreach (string ns in _namespaces)
        {
            Sh($"ip netns del {ns}", check: false);
        }

        _folder.Delete(recursive: true);
    }

    private void Namespace(string ns)
    {
        Sh($"ip netns add {ns} && ip -n {ns} link set lo up");
        _namespaces.Add(ns);
    }

    // A namespace with eth0 on the segment.
    private void Attach(string ns, string address)
    {
        Namespace(ns);
        string port = "p" + ns[3..];
        Sh($"ip -n fh-sw link add {port} type veth peer name eth0 netns {ns} && ip -n fh-sw link set {port} master br0 && ip -n fh-sw link set {port} up");
        Sh($"ip -n {ns} addr add {address}/24 dev eth0 && ip -n {ns} link set eth0 up");
    }

    private void Start(string name, string ns, string program, params string[] arguments) => _processes.Start(name, ns, program, arguments);
}
