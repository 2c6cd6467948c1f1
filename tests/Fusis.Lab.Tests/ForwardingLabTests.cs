using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fusis.Lab.Tests;

/// <summary>
/// Every forwarding method carrying real traffic, with `fusis agent` preparing each backend for it. One L2 segment (a
/// bridge in "fw-sw"): the root namespace is the client (198.18.20.2, fd00:20::2), "fw-lb" runs serf and
/// `fusis balancer` (.1), "fw-b1" and "fw-b2" (.21, .22) run a dual-stack HTTP server and `fusis agent`, which
/// announces one service per method and, being dual-stack, its IPv6 address too. VIPs (198.18.21.0/24,
/// fd00:21::/64) are routed to the balancer; replies of direct routing and tunnels go straight back to the client on
/// the segment, and the NAT service masquerades so its replies come back through the balancer. Both backends start
/// with strict reverse-path filtering (rp_filter=1), which drops decapsulated packets unless the agent relaxes it.
/// </summary>
public sealed class ForwardingLabTests : IDisposable
{
    private const string Token = "fw-token-0123456789abcdef";
    private const int BigBytes = 32 * 1024 * 1024;
    private const int Requests = 10;

    // Name, VIP, the agents' announcement (mode field), and the service's extra JSON.
    private static readonly (string Name, string Vip, string Mode, string Extra)[] Methods =
    [
        ("nat", "198.18.21.1", "nat", ",\"Snat\":\"masquerade\""),
        ("route", "198.18.21.2", "route", ""),
        ("ipip", "198.18.21.3", "ipip", ""),
        ("gue", "198.18.21.4", "gue/6080", ""),
        ("guecsum", "198.18.21.5", "gue/6080/checksum", ""),
        ("gueremote", "198.18.21.6", "gue/6080/remote-checksum", ""),
        ("gre", "198.18.21.7", "gre", ""),
        ("route6", "fd00:21::2", "route", ""),
        ("ipip6", "fd00:21::3", "ipip", ""),
    ];

    // Kernel-wide: loaded before the "before" picture, so it holds their fallback devices (down) as a host that has
    // them does; the agent brings up what it needs and must leave them as it found them.
    private const string TunnelModules = "ipip sit ip6_tunnel ip_gre ip6_gre fou";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-fw-");
    private readonly List<string> _namespaces = [];
    private readonly Dictionary<string, Process> _processes = [];
    private readonly StringBuilder _log = new();

    public ForwardingLabTests()
    {
        LabKernel.RequireIpvs();
        HaLab.Sh($"modprobe -a {TunnelModules}");
        Namespace("fw-sw");
        HaLab.Sh("ip -n fw-sw link add br0 type bridge && ip -n fw-sw link set br0 up");
        HaLab.Sh("ip link add fw-c type veth peer name c netns fw-sw && ip -n fw-sw link set c master br0 && ip -n fw-sw link set c up");
        HaLab.Sh("ip addr add 198.18.20.2/24 dev fw-c && ip addr add fd00:20::2/64 dev fw-c nodad && ip link set fw-c up");
        HaLab.Sh("ip route add 198.18.21.0/24 via 198.18.20.1 && ip -6 route add fd00:21::/64 via fd00:20::1");
        Attach("fw-lb", "198.18.20.1", "fd00:20::1");
        // NAT replies leave by the interface they came in on: a one-armed director forwards, and sends no redirects.
        HaLab.Sh("ip netns exec fw-lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0");
        for (int n = 1; n <= 2; n++)
        {
            string ns = $"fw-b{n}";
            Attach(ns, $"198.18.20.2{n}", $"fd00:20::2{n}");
            HaLab.Sh($"ip netns exec {ns} sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1");
            string www = Path.Combine(_folder.FullName, $"www-b{n}");
            Directory.CreateDirectory(www);
            File.WriteAllText(Path.Combine(www, "index.html"), $"b{n}\n");
            File.WriteAllBytes(Path.Combine(www, "big"), BigFile);
            Start($"http-b{n}", ns, "python3", "-m", "http.server", "80", "--bind", "::", "--directory", www);
        }

        File.WriteAllText(TokenFile, Token);
        Start("serf-lb", "fw-lb", "serf", "agent", "-node=lb", "-bind=198.18.20.1", "-rpc-addr=127.0.0.1:7373", "-log-level=warn");
        Start("balancer", "fw-lb", ClusterLab.Daemon, "balancer", "--listen", "198.18.20.1:8000", "--token-file", TokenFile,
            "--state", Path.Combine(_folder.FullName, "state.json"), "--local-socket", Path.Combine(_folder.FullName, "lb.sock"),
            "--serf-rpc", "127.0.0.1:7373", "--vip-interface", "fusis0", "--reconcile-interval", "00:00:10");
        ClusterLab.WaitFor("the balancer's API", TimeSpan.FromSeconds(120), () => Send(HttpMethod.Get, "/health", null).Status == HttpStatusCode.OK, () => Log);
    }

    private static byte[] BigFile { get; } = RandomNumberGenerator.GetBytes(BigBytes);

    private string TokenFile => Path.Combine(_folder.FullName, "token");

    private string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    [Fact]
    public async Task Every_forwarding_method_carries_requests_and_a_32_MB_download_to_every_backend_and_the_agents_leave_the_backends_as_they_found_them()
    {
        string[] before = [Picture("fw-b1"), Picture("fw-b2")];
        foreach ((string name, string vip, _, string extra) in Methods)
        {
            (HttpStatusCode status, string body) = Send(HttpMethod.Post, "/services",
                $$"""{"Name":"{{name}}","Protocol":"tcp","Address":"{{vip}}","Port":80,"Scheduler":"rr"{{extra}}}""");
            Assert.True(status == HttpStatusCode.Created, $"{name}: {(int)status} {body}");
        }

        string services = string.Join(',', Methods.Select(m => $"{m.Name}:80:1:{m.Mode}"));
        for (int n = 1; n <= 2; n++)
        {
            Start($"agent-b{n}", $"fw-b{n}", ClusterLab.Daemon, "agent", "--serf", "/usr/bin/serf", "--node", $"b{n}", "--bind", $"198.18.20.2{n}",
                "--join", "198.18.20.1", "--address", $"fd00:20::2{n}", "--drain-timeout", "00:00:05", "--service", services);
        }

        ClusterLab.WaitFor("two destinations in every service", TimeSpan.FromSeconds(120),
            () => Methods.All(m => Destinations(m.Name) == 2), () => $"{LabKernel.Run("ip", "netns exec fw-lb ipvsadm -Ln")}\n{Log}");

        byte[] expected = SHA256.HashData(BigFile);
        var problems = new List<string>();
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(120) };
        foreach ((string name, string vip, string mode, _) in Methods)
        {
            string host = vip.Contains(':', StringComparison.Ordinal) ? $"[{vip}]" : vip;
            var answers = new Dictionary<string, int>();
            var first = Stopwatch.StartNew();
            while (Get(http, host) is null && first.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(200);
            }

            if (first.Elapsed >= TimeSpan.FromSeconds(30))
            {
                problems.Add($"{name}: no answer through {vip} within 30 s\n{Explain(vip)}");
                Console.WriteLine($"  forwarding {name} ({mode}) via {vip}: NO ANSWER");
                continue;
            }

            for (int i = 0; i < Requests; i++)
            {
                string answer = Get(http, host) ?? "(failed)";
                answers[answer] = answers.GetValueOrDefault(answer) + 1;
            }

            var clock = Stopwatch.StartNew();
            (long bytes, bool same) = await DownloadAsync(http, host, expected);
            double seconds = clock.Elapsed.TotalSeconds;
            // The kernel folds its per-CPU counters into what netlink reads only when its estimator runs (every 2 s):
            // read until both destinations show their connections, bounded.
            Dictionary<string, long> conns = Connections(vip);
            var counted = Stopwatch.StartNew();
            while ((conns.Count != 2 || conns.Values.Any(c => c == 0)) && counted.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(250, TestContext.Current.CancellationToken);
                conns = Connections(vip);
            }

            string counts = string.Join(", ", answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}"));
            string stats = string.Join(", ", conns.Select(c => $"{c.Key} {c.Value} conns")) + $" (read after {counted.Elapsed.TotalSeconds:0.0} s)";
            if (vip.Contains(':', StringComparison.Ordinal))
            {
                // Whether the backends saw the client by its IPv6 address (python logs each request's source).
                stats += "; requests logged from fd00:20::2: " + string.Join(", ", new[] { 1, 2 }.Select(n => $"b{n} {Log.Split('\n').Count(l => l.StartsWith($"http-b{n}: fd00:20::2 ", StringComparison.Ordinal))}"));
            }

            Console.WriteLine($"  forwarding {name} ({mode}) via {vip}: {counts}; 32 MB download {bytes} bytes in {seconds:0.0} s, {(same ? "identical" : "DIFFERENT")}; ipvsadm --stats: {stats}");
            if (answers.GetValueOrDefault("b1") == 0 || answers.GetValueOrDefault("b2") == 0 || answers.ContainsKey("(failed)"))
            {
                problems.Add($"{name}: requests did not reach both backends ({counts})");
            }

            if (bytes != BigBytes || !same)
            {
                problems.Add($"{name}: the download was {bytes} bytes, {(same ? "identical" : "not identical")}");
            }

            if (vip.Contains(':', StringComparison.Ordinal)
                && new[] { 1, 2 }.Any(n => !Log.Split('\n').Any(l => l.StartsWith($"http-b{n}: fd00:20::2 ", StringComparison.Ordinal))))
            {
                // Forwarded unchanged: the backends see the client's own IPv6 address.
                problems.Add($"{name}: a backend never saw the client's IPv6 address ({stats})");
            }

            if (conns.Count != 2 || conns.Values.Any(c => c == 0))
            {
                problems.Add($"{name}: ipvsadm --stats does not show connections on both destinations within 15 s ({stats})");
            }
        }

        for (int n = 1; n <= 2; n++)
        {
            Process agent = _processes[$"agent-b{n}"];
            HaLab.Sh($"kill -TERM {agent.Id}");
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(90)), $"agent b{n} did not stop on SIGTERM\n{Log}");
            Assert.True(agent.ExitCode == 0, $"agent b{n} exited {agent.ExitCode}\n{Log}");
        }

        for (int n = 1; n <= 2; n++)
        {
            string after = Picture($"fw-b{n}");
            if (Diff(before[n - 1], after).Length > 0)
            {
                problems.Add($"b{n}'s interfaces or sysctls differ after the agent stopped:\n{Diff(before[n - 1], after)}");
            }
        }

        Console.WriteLine($"  forwarding: both agents stopped; the backends' interfaces, addresses, GUE ports and IPv4/IPv6 sysctls are {(problems.Any(p => p.Contains("differ", StringComparison.Ordinal)) ? "NOT" : "exactly")} as before they started");
        Assert.True(problems.Count == 0, string.Join('\n', problems) + "\n" + Log[^Math.Min(Log.Length, 6000)..]);
    }

    public void Dispose()
    {
        foreach (Process process in _processes.Values.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        HaLab.Sh("pkill -KILL -f 'serf agent -node=b'", check: false);
        HaLab.Sh("ip link del fw-c", check: false);
        HaLab.Sh("ip route del 198.18.21.0/24", check: false);
        HaLab.Sh("ip -6 route del fd00:21::/64", check: false);
        foreach (string ns in _namespaces)
        {
            HaLab.Sh($"ip netns del {ns}", check: false);
        }

        _folder.Delete(recursive: true);
    }

    // What the agent may touch on a backend: links (flags, not counters), addresses, GUE ports, per-interface sysctls.
    private static string Picture(string ns) => string.Join('\n',
        LabKernel.Run("ip", $"-n {ns} -o link show").Split('\n').Select(l => l.Split(" link/")[0]),
        LabKernel.Run("ip", $"-n {ns} -o addr show"),
        LabKernel.Run("ip", $"netns exec {ns} ip fou show"),
        LabKernel.Run("sh", $"-c \"ip netns exec {ns} sysctl -a 2>/dev/null | grep -E '^net.ipv[46].conf.' | grep -v stable_secret\""));

    // Where a tunnel's packets went: the service on the balancer, the backends' tunnel devices and IP error counters.
    private static string Explain(string vip)
    {
        var text = new StringBuilder($"why {vip} did not answer:\n").AppendLine(LabKernel.Run("ip", "netns exec fw-lb ipvsadm -Ln --stats --exact", check: false));
        foreach (string ns in new[] { "fw-b1", "fw-b2" })
        {
            text.AppendLine($"{ns}:")
                .AppendLine(LabKernel.Run("ip", $"-n {ns} -s -o link show", check: false))
                .AppendLine(LabKernel.Run("ip", $"-n {ns} -o addr show", check: false))
                .AppendLine(LabKernel.Run("ip", $"netns exec {ns} ip fou show", check: false))
                .AppendLine(LabKernel.Run("ip", $"netns exec {ns} grep -H . /proc/sys/net/ipv4/conf/all/rp_filter /proc/sys/net/ipv4/conf/tunl0/rp_filter /proc/sys/net/ipv4/conf/gre0/rp_filter", check: false))
                .AppendLine(LabKernel.Run("ip", $"netns exec {ns} grep Ip: /proc/net/snmp", check: false));
        }

        return text.ToString();
    }

    // Lines gone or changed, and lines new, except the IPv6 configuration of a device that had none before: the
    // kernel creates it (at its defaults) when a device first comes up, and keeps it until the device goes.
    private static string Diff(string before, string after)
    {
        var old = before.Split('\n').ToHashSet(StringComparer.Ordinal);
        var now = after.Split('\n').ToHashSet(StringComparer.Ordinal);
        var configured = old.Select(Ipv6Device).OfType<string>().ToHashSet(StringComparer.Ordinal);
        IEnumerable<string> added = now.Except(old).Where(l => Ipv6Device(l) is not { } device || configured.Contains(device));
        return string.Join('\n', [.. old.Except(now).Select(l => "- " + l), .. added.Select(l => "+ " + l)]);
    }

    private static string? Ipv6Device(string line) =>
        line.StartsWith("net.ipv6.conf.", StringComparison.Ordinal) && line.Split('.') is { Length: > 4 } parts ? parts[3] : null;

    private static string? Get(HttpClient http, string host)
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return http.GetStringAsync(new Uri($"http://{host}/"), quick.Token).GetAwaiter().GetResult().Trim();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<(long Bytes, bool Same)> DownloadAsync(HttpClient http, string host, byte[] expected)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri($"http://{host}/big"), HttpCompletionOption.ResponseHeadersRead);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }

            return (total, hash.GetHashAndReset().AsSpan().SequenceEqual(expected));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (-1, false);
        }
    }

    private static int Destinations(string service)
    {
        (HttpStatusCode status, string body) = Send(HttpMethod.Get, $"/services/{service}", null);
        return status == HttpStatusCode.OK && JsonDocument.Parse(body).RootElement.TryGetProperty("Destinations", out JsonElement list) ? list.GetArrayLength() : 0;
    }

    // `ipvsadm -Ln --stats --exact` in the balancer: each destination of the VIP's service and its connection count.
    private static Dictionary<string, long> Connections(string vip)
    {
        string header = vip.Contains(':', StringComparison.Ordinal) ? $"[{vip}]:80" : $"{vip}:80";
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        bool inside = false;
        foreach (string line in LabKernel.Run("ip", "netns exec fw-lb ipvsadm -Ln --stats --exact").Split('\n'))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && fields[0] is "TCP" or "UDP" or "SCTP" or "FWM")
            {
                inside = fields[1] == header;
            }
            else if (inside && fields.Length > 2 && fields[0] == "->")
            {
                found[fields[1]] = long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return found;
    }

    private static (HttpStatusCode Status, string Body) Send(HttpMethod method, string path, string? json)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            using var request = new HttpRequestMessage(method, new Uri($"http://198.18.20.1:8000{path}"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using HttpResponseMessage response = http.SendAsync(request).GetAwaiter().GetResult();
            return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, e.Message);
        }
    }

    private void Namespace(string ns)
    {
        HaLab.Sh($"ip netns add {ns} && ip -n {ns} link set lo up");
        _namespaces.Add(ns);
    }

    private void Attach(string ns, string address, string address6)
    {
        Namespace(ns);
        string port = "p" + ns[3..];
        HaLab.Sh($"ip -n fw-sw link add {port} type veth peer name eth0 netns {ns} && ip -n fw-sw link set {port} master br0 && ip -n fw-sw link set {port} up");
        HaLab.Sh($"ip -n {ns} addr add {address}/24 dev eth0 && ip -n {ns} addr add {address6}/64 dev eth0 nodad && ip -n {ns} link set eth0 up");
    }

    private void Start(string name, string ns, string program, params string[] arguments) =>
        _processes[name] = ClusterLab.StartIn(ns, program, arguments, line =>
        {
            if (line is not null)
            {
                lock (_log)
                {
                    _log.Append(name).Append(": ").AppendLine(line);
                }
            }
        });
}
