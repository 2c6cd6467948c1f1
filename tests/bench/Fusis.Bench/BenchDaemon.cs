using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Fusis.Bench;

/// <summary>
/// `fusis balancer` in a namespace, owning a state file, reached over its root-only local socket (no token, and
/// reachable from the bench's namespace through the file system). Killed (kill -9) on dispose.
/// </summary>
internal sealed partial class BenchDaemon : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private BenchDaemon(Process process, string socket)
    {
        _process = process;
        Http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellation) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellation);
                    return new NetworkStream(unix, ownsSocket: true);
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = new Uri("http://localhost"),
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    public HttpClient Http { get; }

    /// <summary>What the daemon printed, for a failure's message.</summary>
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

    /// <summary>Its resident memory (ip netns exec replaced itself with the daemon, so the pid is the daemon's).</summary>
    public long Rss => long.Parse(
        File.ReadAllLines($"/proc/{_process.Id}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
        CultureInfo.InvariantCulture) * 1024;

    /// <summary>
    /// Starts the daemon, with <paramref name="settings"/> ("FUSIS_X=value") in its environment; returns once it answers
    /// /health (bounded by <paramref name="limit"/>).
    /// </summary>
    public static BenchDaemon Start(
        string daemon, string ns, string state, string socket, TimeSpan reconcileInterval, TimeSpan limit, IEnumerable<string>? settings = null)
    {
        var info = new ProcessStartInfo("ip", ["netns", "exec", ns, daemon, "balancer", "--listen", "127.0.0.1:18002", "--state", state, "--local-socket", socket,
            "--reconcile-interval", reconcileInterval.ToString("c", CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string setting in settings ?? [])
        {
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            info.Environment[setting[..equals]] = setting[(equals + 1)..];
        }

        var started = new BenchDaemon(Process.Start(info) ?? throw new InvalidOperationException("cannot start the daemon"), socket);
        started._process.OutputDataReceived += (_, e) => started.Append(e.Data);
        started._process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        try
        {
            Until(limit, () => started._process.HasExited || started.Answers("/health"), () => "the daemon did not answer /health");
            return started._process.HasExited ? throw new InvalidOperationException($"the daemon exited {started._process.ExitCode}: {started.Log}") : started;
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    public string Get(string path) => Http.GetStringAsync(new Uri(path, UriKind.Relative)).GetAwaiter().GetResult();

    public bool Answers(string path)
    {
        try
        {
            using HttpResponseMessage response = Http.GetAsync(new Uri(path, UriKind.Relative)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>kill -9, and its exit.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit(TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
    }

    /// <summary>The value of the sample <paramref name="name"/> (without labels) in a /metrics text.</summary>
    public static double Metric(string text, string name) =>
        double.Parse(MetricLine().Matches(text).First(m => m.Groups[1].Value == name).Groups[2].Value, CultureInfo.InvariantCulture);

    /// <summary>Waits for <paramref name="done"/>, every 200 ms, at most <paramref name="limit"/>.</summary>
    public static void Until(TimeSpan limit, Func<bool> done, Func<string> why)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException(why());
            }

            Thread.Sleep(200);
        }
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    [GeneratedRegex(@"^(\w+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}
