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
    public static EtcdServer Start(string address = "127.0.0.1", IReadOnlyList<string>? wrap = null)
    {
        string etcd = File.Exists("/usr/bin/etcd") ? "/usr/bin/etcd"
            : throw new InvalidOperationException("etcd is not installed: the Test task installs it (tests/lab/lab.sh setup), or apt-get install etcd-server");
        string directory = Directory.CreateTempSubdirectory("fusis-etcd-").FullName;
        int clientPort = FreePort(), peerPort = FreePort();
        string[] arguments =
        [
            .. wrap ?? [], etcd, "--name", "fusis-test", "--data-dir", Path.Combine(directory, "data"),
            "--listen-client-urls", $"http://{address}:{clientPort}", "--advertise-client-urls", $"http://{address}:{clientPort}",
            "--listen-peer-urls", $"http://{address}:{peerPort}", "--initial-advertise-peer-urls", $"http://{address}:{peerPort}",
            "--initial-cluster", $"fusis-test=http://{address}:{peerPort}", "--heartbeat-interval", "50", "--election-timeout", "500",
            "--log-outputs", Path.Combine(directory, "etcd.log"), "--logger", "zap",
        ];
        var server = new EtcdServer(address, clientPort, directory, arguments);
        server.StartProcess();
        return server;
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
        var info = new ProcessStartInfo(_arguments[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in _arguments[1..])
        {
            info.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start etcd");
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
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

            if (deadline.Elapsed > TimeSpan.FromSeconds(60) || _process.HasExited)
            {
                string log = File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no log)";
                throw new InvalidOperationException($"etcd did not become healthy at {ClientUrl} (exited: {_process.HasExited}); log: {log[^Math.Min(log.Length, 2000)..]}");
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
