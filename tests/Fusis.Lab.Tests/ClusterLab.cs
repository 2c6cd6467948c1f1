using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusis.Lab.Tests;

/// <summary>
/// A small cluster inside the lab VM. The root namespace is the client (198.18.1.2); namespace "fl-lb" is the
/// balancer (198.18.1.1 toward the client, 198.18.2.1 on a bridge toward the backends) running serf and
/// `fusis balancer`; each backend "fl-bN" (198.18.2.1N) runs an HTTP server, serf and `fusis agent`, its default
/// route through the balancer so NAT replies return through it. VIPs come from 198.18.100.0/24. An isolated backend
/// (<see cref="AddIsolatedBackend"/>) has no route beyond its own subnet: only SNAT lets it answer. IPv6 runs beside:
/// fd00:1::2 (client), fd00:1::1 and fd00:2::1 (balancer), fd00:2::1N (backends), VIPs from fd00:100::/64.
/// </summary>
internal sealed class ClusterLab : IDisposable
{
    public const string Token = "demo-token-0123456789abcdef";
    public const string Api = "http://198.18.1.1:8000";
    private const string Balancer = "fl-lb";

    private readonly List<Process> _processes = [];
    private readonly Dictionary<string, Process> _named = [];
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-cluster-");
    private readonly List<string> _namespaces = [];
    private readonly StringBuilder _log = new();

    public ClusterLab()
    {
        LabKernel.RequireIpvs();
        Sh($"ip netns add {Balancer}");
        _namespaces.Add(Balancer);
        Sh($"ip -n {Balancer} link set lo up");
        Sh($"ip link add fl-front type veth peer name front netns {Balancer}");
        Sh("ip addr add 198.18.1.2/24 dev fl-front && ip link set fl-front up");
        Sh($"ip -n {Balancer} addr add 198.18.1.1/24 dev front && ip -n {Balancer} link set front up");
        Sh("ip route add 198.18.100.0/24 via 198.18.1.1");
        Sh($"ip -n {Balancer} link add back type bridge && ip -n {Balancer} addr add 198.18.2.1/24 dev back && ip -n {Balancer} link set back up");
        Sh($"ip addr add fd00:1::2/64 dev fl-front nodad && ip -n {Balancer} addr add fd00:1::1/64 dev front nodad && ip -n {Balancer} addr add fd00:2::1/64 dev back nodad");
        Sh("ip -6 route add fd00:100::/64 via fd00:1::1");
        File.WriteAllText(TokenFile, Token);
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
        ApiClient = new HttpClient { BaseAddress = new Uri(Api), Timeout = TimeSpan.FromSeconds(60) };
        ApiClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
    }

    public string TokenFile => Path.Combine(_folder.FullName, "token");

    public string StatePath => Path.Combine(_folder.FullName, "state.json");

    /// <summary>New connection per request (so the scheduler sees each one).</summary>
    public HttpClient Http { get; }

    public HttpClient ApiClient { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string Daemon => Environment.GetEnvironmentVariable("FUSISTEST_DAEMON") is { Length: > 0 } path && File.Exists(path)
        ? path
        : throw new InvalidOperationException("FUSISTEST_DAEMON must name the published fusis executable (build.ps1 sets it)");

    /// <summary>serf and `fusis balancer` in the balancer namespace (with <paramref name="extra"/> flags); returns when its API answers.</summary>
    public TimeSpan StartBalancer(params string[] extra)
    {
        if (!_named.ContainsKey("serf-lb"))
        {
            StartBalancerSerf();
        }

        var clock = Stopwatch.StartNew();
        Start("balancer", Balancer, Daemon, [
            "balancer", "--listen", "198.18.1.1:8000", "--token-file", TokenFile, "--state", StatePath, "--local-socket", StatePath + ".sock",
            "--serf-rpc", "127.0.0.1:7373", "--vip-interface", "fusis0", "--vip-range", "198.18.100.0/24",
            "--reconcile-interval", "00:00:10", "--drain-timeout", "00:00:20", .. extra]);
        WaitFor("the balancer's API", TimeSpan.FromSeconds(90), () =>
        {
            try
            {
                using HttpResponseMessage health = ApiClient.GetAsync(new Uri("/health", UriKind.Relative)).GetAwaiter().GetResult();
                return health.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        });
        return clock.Elapsed;
    }

    /// <summary>The balancer's serf agent (again, after a kill: a new agent, which knows no member until it is joined to one).</summary>
    public void StartBalancerSerf() =>
        Start("serf-lb", Balancer, "serf", "agent", "-node=lb", "-bind=198.18.2.1", "-rpc-addr=127.0.0.1:7373", "-log-level=warn");

    /// <summary>The names of the members the balancer's serf agent lists alive.</summary>
    public static IReadOnlyList<string> BalancerSerfMembers() => InBalancer("serf members -rpc-addr=127.0.0.1:7373 -status=alive", check: false)
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])
        .ToList();

    /// <summary>Backend N: namespace, HTTP server answering "bN", and `fusis agent` (which runs its serf) announcing <paramref name="services"/>.</summary>
    public void AddBackend(int n, string services)
    {
        string ns = $"fl-b{n}";
        string address = $"198.18.2.1{n}";
        Sh($"ip netns add {ns} && ip -n {ns} link set lo up");
        _namespaces.Add(ns);
        Sh($"ip -n {Balancer} link add b{n} type veth peer name eth0 netns {ns}");
        Sh($"ip -n {Balancer} link set b{n} master back && ip -n {Balancer} link set b{n} up");
        Sh($"ip -n {ns} addr add {address}/24 dev eth0 && ip -n {ns} link set eth0 up && ip -n {ns} route add default via 198.18.2.1");
        StartHttp(n);
        StartAgent(n, services);
    }

    /// <summary>Backend N's `fusis agent` (again, after it stopped), which runs its serf.</summary>
    public void StartAgent(int n, string services) =>
        Start($"agent-b{n}", $"fl-b{n}", Daemon, "agent", "--serf", "/usr/bin/serf", "--node", $"b{n}", "--bind", $"198.18.2.1{n}", "--join", "198.18.2.1",
            "--drain-timeout", "00:00:20", "--service", services);

    /// <summary>
    /// Backend N without a route beyond its subnet (198.18.2.1N, fd00:2::1N): a responder that answers "bN" on TCP and UDP
    /// port 8080 in both families, reachable through a NAT service only when the balancer SNATs.
    /// </summary>
    public void AddIsolatedBackend(int n)
    {
        string ns = $"fl-b{n}";
        Sh($"ip netns add {ns} && ip -n {ns} link set lo up");
        _namespaces.Add(ns);
        Sh($"ip -n {Balancer} link add b{n} type veth peer name eth0 netns {ns}");
        Sh($"ip -n {Balancer} link set b{n} master back && ip -n {Balancer} link set b{n} up");
        Sh($"ip -n {ns} addr add 198.18.2.1{n}/24 dev eth0 && ip -n {ns} addr add fd00:2::1{n}/64 dev eth0 nodad && ip -n {ns} link set eth0 up");
        string responder = Path.Combine(_folder.FullName, "responder.py");
        File.WriteAllText(responder, Responder);
        Start($"responder-b{n}", ns, "python3", responder, $"b{n}");
        WaitFor($"backend b{n}'s responder", TimeSpan.FromSeconds(30), () => LabKernel.Run("ip", $"netns exec {ns} ss -Hltn sport = :8080").Contains("8080", StringComparison.Ordinal));
    }

    /// <summary>A request to the balancer's API with the token; fails the test unless it answers <paramref name="expected"/>.</summary>
    public void Send(HttpMethod method, string path, string json, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using HttpResponseMessage response = ApiClient.SendAsync(request).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Console.WriteLine($"  {method} {path} -> {(int)response.StatusCode} {response.Headers.Location}");
        Assert.True(response.StatusCode == expected, body);
    }

    /// <summary>One TCP connection or UDP datagram to a VIP from the client: the backend's answer, or null (bounded by 3 s).</summary>
    public static string? Ask(ProtocolType protocol, string address, int port)
    {
        IPAddress ip = IPAddress.Parse(address);
        try
        {
            using var socket = new Socket(ip.AddressFamily, protocol == ProtocolType.Tcp ? SocketType.Stream : SocketType.Dgram, protocol)
            {
                ReceiveTimeout = 3000, SendTimeout = 3000,
            };
            var buffer = new byte[64];
            if (protocol == ProtocolType.Tcp)
            {
                using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                socket.ConnectAsync(new IPEndPoint(ip, port), connect.Token).AsTask().GetAwaiter().GetResult();
                return Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)).Trim();
            }

            socket.SendTo("hi"u8, new IPEndPoint(ip, port));
            return Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)).Trim();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A command in the balancer's namespace (nft, sysctl, iptables-nft); returns its stdout.</summary>
    public static string InBalancer(string command, bool check = true) => LabKernel.Run("ip", $"netns exec {Balancer} {command}", check);

    public void StartHttp(int n)
    {
        string www = Path.Combine(_folder.FullName, $"www-b{n}");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), $"b{n}\n");
        Start($"http-b{n}", $"fl-b{n}", "busybox", "httpd", "-f", "-p", $"198.18.2.1{n}:8080", "-h", www);
    }

    /// <summary>A file of <paramref name="size"/> bytes that backend N serves.</summary>
    public void WriteFile(int n, string name, int size)
    {
        using FileStream file = File.Create(Path.Combine(_folder.FullName, $"www-b{n}", name));
        file.SetLength(size);
    }

    /// <summary>SIGKILL to a process started here (and, for an agent, to the serf it runs).</summary>
    public void Kill(string name)
    {
        Process process = _named[name];
        if (name.StartsWith("agent-", StringComparison.Ordinal))
        {
            Sh($"pkill -KILL -P {process.Id}", check: false); // its serf
        }

        process.Kill();
        process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, without waiting; "serf-bN" is backend N's serf, which its agent runs (and restarts).</summary>
    public void Stop(string name)
    {
        if (name.StartsWith("serf-b", StringComparison.Ordinal))
        {
            Sh($"pkill -TERM -x -P {_named["agent-" + name["serf-".Length..]].Id} serf", check: false); // gone already with its agent: nothing
            return;
        }

        Sh($"kill -TERM {_named[name].Id}", check: false);
    }

    /// <summary>Whether a process started here has exited within <paramref name="limit"/>.</summary>
    public bool WaitForExit(string name, TimeSpan limit) => _named[name].WaitForExit(limit);

    /// <summary>SIGTERM, and waits (bounded) for the process to exit; returns how long that took.</summary>
    public TimeSpan Terminate(string name, TimeSpan limit)
    {
        Process process = _named[name];
        var clock = Stopwatch.StartNew();
        Sh($"kill -TERM {process.Id}");
        Assert.True(process.WaitForExit(limit), $"{name} did not stop within {limit.TotalSeconds} s\n{Log}");
        return clock.Elapsed;
    }

    /// <summary>`ipvsadm -S -n` in the balancer namespace.</summary>
    public string Table() => LabKernel.Run("ip", $"netns exec {Balancer} ipvsadm -S -n");

    public string List() => LabKernel.Run("ip", $"netns exec {Balancer} ipvsadm -Ln");

    /// <summary>One request to a VIP on a new connection: the backend's answer ("b1"), or null when it failed.</summary>
    public string? Request(string vip)
    {
        try
        {
            return Http.GetStringAsync(new Uri($"http://{vip}/")).GetAwaiter().GetResult().Trim();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Polls <paramref name="done"/> every 50 ms; fails after <paramref name="limit"/>, with <paramref name="explain"/>'s text.</summary>
    public static TimeSpan WaitFor(string what, TimeSpan limit, Func<bool> done, Func<string>? explain = null)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < limit, $"{what}: not reached within {limit.TotalSeconds} s{(explain is null ? "" : "\n" + explain())}");
            Thread.Sleep(50);
        }

        return clock.Elapsed;
    }

    public void Dispose()
    {
        foreach (Process process in _processes.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        Sh("pkill -KILL -f 'serf agent -node='", check: false);
        Sh("ip route del 198.18.100.0/24", check: false);
        Sh("ip -6 route del fd00:100::/64", check: false);
        Sh("ip link del fl-front", check: false);
        foreach (string ns in _namespaces)
        {
            Sh($"ip netns del {ns}", check: false);
        }

        Http.Dispose();
        ApiClient.Dispose();
        _folder.Delete(recursive: true);
    }

    /// <summary>Starts a program in a network namespace (ip netns exec replaces itself with it: the pid is the program's); each output line goes to <paramref name="line"/>.</summary>
    public static Process StartIn(string ns, string program, IEnumerable<string> arguments, Action<string?> line)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "netns", "exec", ns, program }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        process.OutputDataReceived += (_, e) => line(e.Data);
        process.ErrorDataReceived += (_, e) => line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Start(string name, string ns, string program, params string[] arguments)
    {
        Process process = StartIn(ns, program, arguments, line => Append(name, line));
        _processes.Add(process);
        _named[name] = process;
    }

    private void Append(string name, string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Append(name).Append(": ").AppendLine(line);
            }
        }
    }

    private static void Sh(string command, bool check = true) => LabKernel.Run("sh", $"-c \"{command}\"", check);

    // Answers its name to every TCP connection and UDP datagram on port 8080, IPv4 and IPv6.
    private const string Responder = """
        import socket, sys, threading
        name = sys.argv[1].encode() + b"\n"
        def serve(family, kind):
            s = socket.socket(family, kind)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 8080))
            if kind == socket.SOCK_STREAM:
                s.listen(64)
                while True:
                    c, _ = s.accept()
                    try:
                        c.sendall(name)
                    except OSError:
                        pass
                    c.close()
            while True:
                _, peer = s.recvfrom(2048)
                try:
                    s.sendto(name, peer)
                except OSError:
                    pass  # no route back (no SNAT): the client times out
        for family in (socket.AF_INET, socket.AF_INET6):
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                threading.Thread(target=serve, args=(family, kind), daemon=True).start()
        threading.Event().wait()
        """;
}
