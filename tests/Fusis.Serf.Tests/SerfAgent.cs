using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Fusis.Serf.Tests;

/// <summary>
/// A real `serf agent` (Debian's package) on loopback with ports of its own, for integration tests.
/// Killed and its scratch folder deleted on dispose; every wait is bounded.
/// </summary>
internal sealed class SerfAgent : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string[] _arguments;
    private Process? _process;

    private SerfAgent(string name, int bindPort, int rpcPort, string directory, string[] arguments, string? rpcAuth)
    {
        Name = name;
        BindPort = bindPort;
        RpcPort = rpcPort;
        _directory = directory;
        _arguments = arguments;
        RpcAuth = rpcAuth;
    }

    public string Name { get; }

    public int BindPort { get; }

    public int RpcPort { get; }

    public string? RpcAuth { get; }

    public string GossipAddress => $"127.0.0.1:{BindPort}";

    public SerfClientOptions Options => new()
    {
        Port = RpcPort,
        AuthKey = RpcAuth,
        MinReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>Starts an agent with the "local" profile (fast failure detection) and waits until its RPC answers.</summary>
    public static async Task<SerfAgent> StartAsync(
        string name, IReadOnlyDictionary<string, string>? tags = null, string? encryptKey = null, string? rpcAuth = null)
    {
        string serf = File.Exists("/usr/bin/serf") ? "/usr/bin/serf"
            : throw new InvalidOperationException("serf is not installed: the Test task installs it (tests/lab/lab.sh setup), or apt-get install serf");
        string directory = Directory.CreateTempSubdirectory("fusis-serf-").FullName;
        int bindPort = FreePort(), rpcPort = FreePort();
        var arguments = new List<string>
        {
            "agent", "-node", name, "-bind", $"127.0.0.1:{bindPort}", "-rpc-addr", $"127.0.0.1:{rpcPort}", "-profile", "local", "-log-level", "debug",
        };
        foreach ((string key, string value) in tags ?? new Dictionary<string, string>())
        {
            arguments.AddRange(["-tag", $"{key}={value}"]);
        }

        if (encryptKey is not null)
        {
            arguments.AddRange(["-encrypt", encryptKey]);
        }

        if (rpcAuth is not null)
        {
            // rpc_auth exists only as a configuration-file key.
            string config = Path.Combine(directory, "rpc.json");
            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, string> { ["rpc_auth"] = rpcAuth }));
            arguments.AddRange(["-config-file", config]);
        }

        var agent = new SerfAgent(name, bindPort, rpcPort, directory, [serf, .. arguments], rpcAuth);
        await agent.StartProcessAsync();
        return agent;
    }

    /// <summary>Starts the agent again with the same name, ports and settings (after <see cref="Kill"/>).</summary>
    public Task RestartAsync() => StartProcessAsync();

    public Task<SerfClient> ConnectAsync() => SerfClient.ConnectAsync(Options);

    /// <summary>kill -9: no leave, so the cluster sees a failure.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    public bool HasExited => _process?.HasExited ?? true;

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        await Task.Run(() => Directory.Delete(_directory, recursive: true));
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(_arguments[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in _arguments[1..])
        {
            info.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start serf");
        string log = Path.Combine(_directory, "agent.log");
        _ = _process.StandardOutput.BaseStream.CopyToAsync(File.Open(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
        _ = _process.StandardError.ReadToEndAsync();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, RpcPort);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(15) && !_process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"serf agent {Name} did not open its RPC port (exited: {_process.HasExited}); log: {log}", e);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
