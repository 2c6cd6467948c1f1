using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusis.Lab.Tests;

/// <summary>
/// The real `fusis balancer` (published ReadyToRun; FUSISTEST_DAEMON names it, build.ps1 sets it) as a child process
/// in the lab's root namespace, on a loopback port of its own, with a desired state in a folder of its own.
/// With a notify socket it runs as systemd runs a Type=notify unit: NOTIFY_SOCKET set, and its parent a process
/// named systemd (what .NET's systemd integration looks for; the lab has no systemd, so a shell under that name).
/// </summary>
internal sealed class LabDaemon : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-daemon-");
    private readonly StringBuilder _log = new();
    private readonly string? _notifySocket;
    private readonly string[] _arguments;
    private Process? _process;

    public LabDaemon(TimeSpan reconcileInterval, string? notifySocket = null, params string[] arguments)
    {
        ReconcileInterval = reconcileInterval;
        _notifySocket = notifySocket;
        _arguments = arguments;
        Port = FreePort();
        StatePath = Path.Combine(_folder.FullName, "state.json");
        SocketPath = Path.Combine(_folder.FullName, "run", "fusis.sock");
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public TimeSpan ReconcileInterval { get; }

    public int Port { get; }

    public string StatePath { get; }

    /// <summary>Its local endpoint, for this host's cmdlets and `fusis dsc` (FUSIS_SOCKET).</summary>
    public string SocketPath { get; }

    public HttpClient Client { get; }

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

    /// <summary>Starts the daemon and waits (bounded) until /health answers; returns how long that took.</summary>
    public TimeSpan Start()
    {
        string executable = Environment.GetEnvironmentVariable("FUSISTEST_DAEMON") is { Length: > 0 } path && File.Exists(path)
            ? path
            : throw new InvalidOperationException("FUSISTEST_DAEMON must name the published fusis executable (build.ps1 -Task Test sets it)");
        var info = new ProcessStartInfo(executable)
        {
            ArgumentList = { "balancer", "--listen", $"127.0.0.1:{Port}", "--state", StatePath, "--local-socket", SocketPath, "--reconcile-interval", ReconcileInterval.ToString("c") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (_notifySocket is not null)
        {
            string systemd = Path.Combine(_folder.FullName, "systemd");
            File.CreateSymbolicLink(systemd, "/bin/sh");
            info.ArgumentList.Insert(0, executable);
            info.ArgumentList.Insert(0, "\"$0\" \"$@\" & wait $!"); // the daemon a child of "systemd", its exit status the shell's
            info.ArgumentList.Insert(0, "-c");
            info.FileName = systemd;
            info.Environment["NOTIFY_SOCKET"] = _notifySocket;
        }

        var clock = Stopwatch.StartNew();
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the daemon");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"the daemon exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Log}");
            try
            {
                using HttpResponseMessage health = Client.GetAsync(new Uri("/health", UriKind.Relative)).GetAwaiter().GetResult();
                if (health.IsSuccessStatusCode)
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }

            Thread.Sleep(200);
        }

        Assert.Fail($"the daemon did not answer /health within 90 s:\n{Log}");
        return clock.Elapsed;
    }

    /// <summary>SIGKILL: no chance to clean up anything.</summary>
    public void Kill()
    {
        _process!.Kill(entireProcessTree: true);
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "the daemon did not die");
    }

    /// <summary>SIGTERM, as systemd stops it; returns the exit code.</summary>
    public int Terminate()
    {
        LabKernel.Run(_notifySocket is null ? "kill" : "pkill", _notifySocket is null ? $"-TERM {_process!.Id}" : $"-TERM -P {_process!.Id}");
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(60)), $"the daemon did not stop on SIGTERM:\n{Log}");
        return _process.ExitCode;
    }

    public HttpResponseMessage Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Client.SendAsync(request).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        _process?.Dispose();
        Client.Dispose();
        _folder.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
