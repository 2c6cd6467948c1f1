using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Fusis.TestSupport;

namespace Fusis.Lab.Tests;

/// <summary>
/// An anycast cluster behind a router: "fa-r" routes between the client "fa-c" (198.18.41.0/24) and a segment (a
/// bridge in fa-r, 198.18.40.0/24) holding etcd (.5), the balancers "fa-lbN" (.1N) each with `fusis balancer
/// --cluster-mode anycast` and its own BIRD, and the direct-routing backends "fa-bN" (.2N), which hold the VIP on lo
/// and answer clients through the router. The router's BIRD peers with every balancer's and installs the VIP's
/// routes with ECMP (hashing on ports). A probe "fa-p" (.9) on the segment reaches the VIP through a balancer of its
/// choice. Backends answer in this process: on port 9000 each line they read gets their name; port 9001 is their health.
/// </summary>
internal sealed class AnycastLab : IDisposable
{
    public const string Token = "anycast-token-0123456789abcdef";
    public const string Vip = "198.18.100.1";
    public const int Port = 9000;
    public const int HealthPort = 9001;
    public const int Balancers = 2;
    public const int Backends = 3;
    public const string Router = "fa-r";
    public const string Client = "fa-c";
    public const string Probe = "fa-p";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-anycast-");
    private readonly List<string> _namespaces = [];
    private readonly LabProcesses _processes = new();
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();

    // Every socket this process opened in the lab's namespaces, closed before they are deleted: a socket left open
    // keeps its namespace alive after `ip netns del`, and the kernel's namespace cleanup then ran into later tests.
    private static readonly System.Collections.Concurrent.ConcurrentBag<Socket> Sockets = [];

    public AnycastLab()
    {
        LabKernel.RequireIpvs();
        Namespace(Router);
        Sh($"ip -n {Router} link add br0 type bridge && ip -n {Router} addr add 198.18.40.1/24 dev br0 && ip -n {Router} link set br0 up");

        // This process (the root namespace) on the segment too, for etcd's health and the balancers' APIs.
        Sh($"ip link add fa-h type veth peer name root netns {Router} && ip -n {Router} link set root master br0 && ip -n {Router} link set root up");
        Sh("ip addr add 198.18.40.2/24 dev fa-h && ip link set fa-h up");
        Sh($"ip netns exec {Router} sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1");
        Namespace(Client);
        Sh($"ip -n {Router} link add c type veth peer name eth0 netns {Client} && ip -n {Router} addr add 198.18.41.1/24 dev c && ip -n {Router} link set c up");
        Sh($"ip -n {Client} link set eth0 up");
        for (int n = 2; n <= 9; n++)
        {
            Sh($"ip -n {Client} addr add 198.18.41.{n}/24 dev eth0");
        }

        Sh($"ip -n {Client} route replace default via 198.18.41.1");
        Attach("fa-etcd", "198.18.40.5");
        Attach(Probe, "198.18.40.9");
        for (int n = 60; n < 68; n++)
        {
            Sh($"ip -n {Probe} addr add 198.18.40.{n}/24 dev eth0");
        }

        for (int n = 1; n <= Backends; n++)
        {
            string ns = $"fa-b{n}";
            Attach(ns, $"198.18.40.2{n}");
            Sh($"ip -n {ns} addr add {Vip}/32 dev lo");
            Sh($"ip netns exec {ns} sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2");
            Serve(ns, Port, $"b{n}");
            Serve(ns, HealthPort, null);
        }

        File.WriteAllText(TokenFile, Token);
        Etcd = EtcdServer.Start("198.18.40.5", ["ip", "netns", "exec", "fa-etcd"]);
        var routerBird = new StringBuilder("router id 198.18.40.1;\nlog stderr all;\ntimeformat protocol iso long;\nprotocol device { scan time 1; }\n");
        routerBird.AppendLine("protocol kernel { ipv4 { export all; }; merge paths on; }");
        for (int n = 1; n <= Balancers; n++)
        {
            Attach(Namespace(n), Address(n));
            routerBird.AppendLine($"protocol bgp lb{n} {{ local as 65000; neighbor {Address(n)} as 65001; hold time 3; ipv4 {{ import all; export none; }}; }}");

            // BIRD starts from a configuration of the operator's; fusis keeps it aside and writes its own.
            Directory.CreateDirectory(Path.Combine(_folder.FullName, $"lb{n}"));
            File.WriteAllText(BirdConfig(n), $"router id {Address(n)};\nprotocol device {{ }}\n");
            StartBird(n);
            StartBalancer(n);
        }

        File.WriteAllText(Path.Combine(_folder.FullName, "router.conf"), routerBird.ToString());
        Start("bird-r", Router, "bird", "-f", "-c", Path.Combine(_folder.FullName, "router.conf"), "-s", RouterSocket, "-P", Path.Combine(_folder.FullName, "router.pid"));
        for (int n = 1; n <= Balancers; n++)
        {
            ClusterLab.WaitFor($"balancer lb{n}'s API", TimeSpan.FromSeconds(120), () => Cluster(n) is not null, () => Tail());
        }
    }

    public EtcdServer Etcd { get; }

    public string TokenFile => Path.Combine(_folder.FullName, "token");

    public string RouterSocket => Path.Combine(_folder.FullName, "router.ctl");

    public static string Namespace(int n) => $"fa-lb{n}";

    public static string Address(int n) => $"198.18.40.1{n}";

    public static string Api(int n) => $"http://{Address(n)}:8000";

    public string BirdConfig(int n) => Path.Combine(_folder.FullName, $"lb{n}", "bird.conf");

    public string Log => _processes.Log;

    public Process Process(string name) => _processes[name];

    public void StartBalancer(int n) => Start($"lb{n}", Namespace(n), ClusterLab.Daemon,
    [
        "balancer", "--listen", $"{Address(n)}:8000", "--token-file", TokenFile,
        "--state", Path.Combine(_folder.FullName, $"lb{n}", "state.json"), "--local-socket", Path.Combine(_folder.FullName, $"lb{n}", "fusis.sock"),
        "--vip-interface", "fusis0", "--etcd", Etcd.ClientUrl, "--node", $"lb{n}", "--lease-ttl", "00:00:05", "--reconcile-interval", "00:00:10",
        "--cluster-mode", "anycast", "--bgp-local-as", "65001", "--bgp-peers", "65000@198.18.40.1", "--bgp-ranges", "198.18.100.0/24",
        "--bgp-hold-time", "3s", "--bird-config", BirdConfig(n), "--bird-socket", BirdSocket(n), "--drain-time", "5s",
    ]);

    /// <summary>Balancer N's host dies: its link off the segment, then its BIRD and its balancer killed.</summary>
    public void Kill(int n)
    {
        Sh($"ip -n {Namespace(n)} link set eth0 down");
        foreach (string name in new[] { $"lb{n}", $"bird-lb{n}" })
        {
            _processes[name].Kill();
            Assert.True(_processes[name].WaitForExit(TimeSpan.FromSeconds(30)), $"{name} did not die");
        }
    }

    /// <summary>Balancer N's host comes back after <see cref="Kill"/>: its link and route, its BIRD, its balancer.</summary>
    public void Revive(int n)
    {
        Sh($"ip -n {Namespace(n)} link set eth0 up && ip -n {Namespace(n)} route replace default via 198.18.40.1");
        StartBird(n);
        StartBalancer(n);
        ClusterLab.WaitFor($"balancer lb{n}'s API", TimeSpan.FromSeconds(120), () => Cluster(n) is not null, () => Tail());
    }

    /// <summary>The router's next hops for the VIP (its RIB as the kernel has it: one "via", or one "nexthop via" per ECMP path).</summary>
    public static List<string> NextHops()
    {
        string[] words = LabKernel.Run("ip", $"-n {Router} route show {Vip}", check: false).Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return [.. words.Select((word, at) => (word, at)).Where(w => w.word == "via" && w.at + 1 < words.Length).Select(w => words[w.at + 1]).Order(StringComparer.Ordinal)];
    }

    /// <summary>Connections the service has scheduled on balancer N (its IPVS counter).</summary>
    public static long Connections(int n)
    {
        string[] line = LabKernel.Run("ip", $"netns exec {Namespace(n)} ipvsadm -Ln --stats --exact -t {Vip}:{Port}", check: false)
            .Split('\n').FirstOrDefault(l => l.StartsWith("TCP", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return line.Length > 2 && long.TryParse(line[2], out long connections) ? connections : -1;
    }

    /// <summary>
    /// The real servers of the service on balancer N, in the kernel's own order (the newest first), read through netlink:
    /// ipvsadm sorts them.
    /// </summary>
    public static List<string> KernelOrder(int n)
    {
        using Fusis.Netlink.Ipvs.IpvsClient ipvs = Fusis.Netlink.Ipvs.IpvsClient.Open($"/run/netns/{Namespace(n)}");
        var key = Fusis.Netlink.Ipvs.IpvsServiceKey.ForEndPoint(Fusis.Netlink.Ipvs.IpvsProtocol.Tcp, IPAddress.Parse(Vip), Port);
        return ipvs.GetServices().Any(s => s.Key == key) ? [.. ipvs.GetDestinations(key).Select(d => $"{d.Address}:{d.Port}")] : [];
    }

    /// <summary>GET /cluster of balancer N; null when it does not answer.</summary>
    public static JsonElement? Cluster(int n) => LabApi.Cluster(Api(n), Token, TimeSpan.FromSeconds(3));

    public static string Metrics(int n)
    {
        using HttpClient http = LabApi.Client(Token, TimeSpan.FromSeconds(10));
        return http.GetStringAsync(new Uri($"{Api(n)}/metrics")).GetAwaiter().GetResult();
    }

    /// <summary>A request to balancer N's API; the status and body.</summary>
    public static (HttpStatusCode Status, string Body) Send(int n, HttpMethod method, string path, string? json) => LabApi.Send(Api(n), Token, method, path, json);

    /// <summary>
    /// A TCP connection to the VIP from namespace <paramref name="ns"/>, from <paramref name="source"/> (port 0: any),
    /// with a first exchange; the connection and the backend that answered, or null.
    /// </summary>
    public static async Task<(Socket Socket, string Backend)?> OpenAsync(string ns, IPEndPoint source, TimeSpan limit)
    {
        Socket socket;
        using (new NetworkNamespaceScope($"/run/netns/{ns}"))
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        }

        Sockets.Add(socket);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(source);
            using var deadline = new CancellationTokenSource(limit);
            await socket.ConnectAsync(IPAddress.Parse(Vip), Port, deadline.Token);
            if (await AskAsync(socket, limit) is { } backend)
            {
                return (socket, backend);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }

        socket.Dispose();
        return null;
    }

    /// <summary>One more exchange on an open connection: the backend that answered, or null within the limit.</summary>
    public static async Task<string?> AskAsync(Socket socket, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await socket.SendAsync("?\n"u8.ToArray(), deadline.Token);
            var buffer = new byte[64];
            var text = new StringBuilder();
            while (!text.ToString().Contains('\n', StringComparison.Ordinal))
            {
                int read = await socket.ReceiveAsync(buffer, deadline.Token);
                if (read == 0)
                {
                    return null;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return text.ToString().Trim();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Closes with a reset, so the same source tuple can connect again at once (no TIME_WAIT anywhere).</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // closed already
        }

        socket.Dispose();
    }

    public string Tail(int lines = 60)
    {
        string[] all = Log.Split('\n');
        return string.Join('\n', all[Math.Max(0, all.Length - lines)..]);
    }

    public static void Sh(string command, bool check = true) => LabKernel.Run("sh", $"-c \"{command}\"", check);

    public void Dispose()
    {
        _stop.Cancel();
        _processes.Dispose();
        _listeners.ForEach(l => l.Dispose());
        while (Sockets.TryTake(out Socket? socket))
        {
            Reset(socket);
        }

        for (int n = 1; n <= Balancers; n++)
        {
            Sh($"ip netns exec {Namespace(n)} ipvsadm -C", check: false);
        }

        Etcd.Dispose();
        Sh("ip link del fa-h", check: false);
        foreach (string ns in _namespaces)
        {
            Sh($"ip netns del {ns}", check: false);
        }

        _folder.Delete(recursive: true);
        _stop.Dispose();
    }

    private string BirdSocket(int n) => Path.Combine(_folder.FullName, $"lb{n}", "bird.ctl");

    private void StartBird(int n) =>
        Start($"bird-lb{n}", Namespace(n), "bird", "-f", "-c", BirdConfig(n), "-s", BirdSocket(n), "-P", Path.Combine(_folder.FullName, $"lb{n}", "bird.pid"));

    // A listener in a backend's namespace, served by this process: each line read is answered with the name (none: accepts only).
    private void Serve(string ns, int port, string? name)
    {
        Socket listener;
        using (new NetworkNamespaceScope($"/run/netns/{ns}"))
        {
            listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        }

        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Any, port));
        listener.Listen(1024);
        _listeners.Add(listener);
        byte[] answer = Encoding.ASCII.GetBytes($"{name}\n");
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket connection;
                try
                {
                    connection = await listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }

                if (name is null)
                {
                    connection.Dispose();
                    continue;
                }

                Sockets.Add(connection);

                _ = Task.Run(async () =>
                {
                    using (connection)
                    {
                        var buffer = new byte[64];
                        try
                        {
                            while (await connection.ReceiveAsync(buffer, _stop.Token) > 0)
                            {
                                await connection.SendAsync(answer, _stop.Token);
                            }
                        }
                        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                        {
                        }
                    }
                });
            }
        });
    }

    private void Namespace(string ns)
    {
        Sh($"ip netns add {ns} && ip -n {ns} link set lo up");
        _namespaces.Add(ns);
    }

    // A namespace with eth0 on the segment (a port of the router's bridge), routed through the router.
    private void Attach(string ns, string address)
    {
        Namespace(ns);
        string port = "p" + ns[3..];
        Sh($"ip -n {Router} link add {port} type veth peer name eth0 netns {ns} && ip -n {Router} link set {port} master br0 && ip -n {Router} link set {port} up");
        Sh($"ip -n {ns} addr add {address}/24 dev eth0 && ip -n {ns} link set eth0 up && ip -n {ns} route add default via 198.18.40.1");
    }

    private void Start(string name, string ns, string program, params string[] arguments) => _processes.Start(name, ns, program, arguments);
}
