using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fusis.TestSupport;

/// <summary>
/// A real etcd (Debian's etcd-server) with a data folder and ports of its own, listening on an address given
/// (loopback on the host; a namespace's address in the lab). Killed and its folder deleted on dispose; every wait is bounded.
/// </summary>
public sealed class EtcdServer : IDisposable
{
    private readonly string _directory;
    private readonly string[] _arguments;
    private Process? _process;

    private EtcdServer(string address, int clientPort, string directory, string[] arguments)
    {
        ClientUrl = $"http://{address}:{clientPort}";
        _directory = directory;
        _arguments = arguments;
    }

    public string ClientUrl { get; }

    public string LogPath => Path.Combine(_directory, "etcd.log");

    /// <summary>
    /// Starts one member with short raft timings (heartbeat 50 ms, election 500 ms; the tests' leases of 1–3 s need
    /// them) and waits until it answers. <paramref name="wrap"/> runs it inside something (ip netns exec ...).
    /// </summary>
    public static EtcdServer Start(string address = "127.0.0.1", IReadOnlyList<string>? wrap = null) => StartCluster(1, address, wrap)[0];

    /// <summary>
    /// Starts <paramref name="members"/> members of one etcd cluster on <paramref name="address"/>, each with ports and a
    /// folder of its own, and waits until every one answers (a member is healthy once the cluster has a quorum).
    /// </summary>
    public static IReadOnlyList<EtcdServer> StartCluster(int members, string address = "127.0.0.1", IReadOnlyList<string>? wrap = null)
    {
        string etcd = File.Exists("/usr/bin/etcd") ? "/usr/bin/etcd"
            : throw new InvalidOperationException("etcd is not installed: the Test task installs it (tests/lab/lab.sh setup), or apt-get install etcd-server");
        var ports = Enumerable.Range(1, members).Select(n => (Name: $"fusis-test-{n}", Client: FreePort(), Peer: FreePort())).ToList();
        string cluster = string.Join(',', ports.Select(p => $"{p.Name}=http://{address}:{p.Peer}"));
        var servers = ports.Select(p =>
        {
            string directory = Directory.CreateTempSubdirectory("fusis-etcd-").FullName;
            string[] arguments =
            [
                .. wrap ?? [], etcd, "--name", p.Name, "--data-dir", Path.Combine(directory, "data"),
                "--listen-client-urls", $"http://{address}:{p.Client}", "--advertise-client-urls", $"http://{address}:{p.Client}",
                "--listen-peer-urls", $"http://{address}:{p.Peer}", "--initial-advertise-peer-urls", $"http://{address}:{p.Peer}",
                "--initial-cluster", cluster, "--heartbeat-interval", "50", "--election-timeout", "500",
                "--log-outputs", Path.Combine(directory, "etcd.log"), "--logger", "zap",
            ];
            return new EtcdServer(address, p.Client, directory, arguments);
        }).ToList();

        // All first, then the waits: no member is healthy before a quorum of them runs.
        servers.ForEach(s => s.Launch());
        servers.ForEach(s => s.WaitHealthy());
        return servers;
    }

    /// <summary>Whether this member is the raft leader of its cluster now (etcd's JSON gateway, maintenance status).</summary>
    public bool IsRaftLeader()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var content = new StringContent("{}");
        using HttpResponseMessage response = http.PostAsync(new Uri(new Uri(ClientUrl), "/v3/maintenance/status"), content).GetAwaiter().GetResult();
        using var status = System.Text.Json.JsonDocument.Parse(response.EnsureSuccessStatusCode().Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return status.RootElement.GetProperty("leader").GetString() == status.RootElement.GetProperty("header").GetProperty("member_id").GetString();
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
    }

    /// <summary>Starts it again with the same data and ports (after <see cref="Kill"/>).</summary>
    public void Restart() => StartProcess();

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void StartProcess()
    {
        Launch();
        WaitHealthy();
    }

    private void Launch()
    {
        var info = new ProcessStartInfo(_arguments[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in _arguments[1..])
        {
            info.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start etcd");
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
    }

    private void WaitHealthy()
    {
        Process process = _process!;
        var uri = new Uri(ClientUrl);
        var deadline = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            try
            {
                // /health answers once the member has a raft leader (itself) and serves requests.
                if (http.GetStringAsync(new Uri(uri, "/health")).GetAwaiter().GetResult().Contains("true", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60) || process.HasExited)
            {
                string log = File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no log)";
                throw new InvalidOperationException($"etcd did not become healthy at {ClientUrl} (exited: {process.HasExited}); log: {log[^Math.Min(log.Length, 2000)..]}");
            }

            Thread.Sleep(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
