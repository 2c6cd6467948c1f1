using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Fusis.Bench;

/// <summary>
/// 1,000 changes one command at a time, as a script writes them: `1..1000 | ForEach-Object { New-FusisDestination ... }`
/// in pwsh, without a daemon (each command is a pipeline of its own that runs the engine in-process: lock, load, a
/// journal line, apply) and with one (each goes to the daemon's engine over its local socket); and the same 1,000 piped
/// into one New-FusisDestination without a daemon (one lock and one load for all); beside 1,000 `ipvsadm -a`
/// processes. Each in a namespace of its own.
/// </summary>
internal static class ChangeLoopBenchmark
{
    public const int Changes = 1000;

    public static string Run(string manifest, string daemon)
    {
        const string Ipvsadm = "fusis-bench-l1", Local = "fusis-bench-l2", ThroughDaemon = "fusis-bench-l3", Piped = "fusis-bench-l4";
        string[] namespaces = [Ipvsadm, Local, ThroughDaemon, Piped];
        string folder = Directory.CreateTempSubdirectory("fusis-bench-loop-").FullName;
        foreach (string ns in namespaces)
        {
            Shell.Run("ip", $"netns add {ns}");
            Shell.Run("ip", $"netns exec {ns} ip link set lo up");
        }

        try
        {
            // ipvsadm: one process per destination, as a shell loop would run it (the loop itself in one sh).
            Shell.Run("ip", $"netns exec {Ipvsadm} ipvsadm -A -t 198.18.0.1:80 -s rr");
            string loop = Path.Combine(folder, "ipvsadm.sh");
            File.WriteAllText(loop, string.Concat(Enumerable.Range(0, Changes).Select(i => $"ipvsadm -a -t 198.18.0.1:80 -r {Real(i)}:80 -m\n")));
            TimeSpan ipvsadm = Shell.Run("ip", $"netns exec {Ipvsadm} sh {loop}", timeout: TimeSpan.FromMinutes(20)).Elapsed;
            Check(Ipvsadm);

            TimeSpan local = Pwsh(Local, manifest, Path.Combine(folder, "local.json"), Path.Combine(folder, "none.sock"), EachAPipeline);
            Check(Local);
            TimeSpan piped = Pwsh(Piped, manifest, Path.Combine(folder, "piped.json"), Path.Combine(folder, "none.sock"), OnePipeline);
            Check(Piped);

            string state = Path.Combine(folder, "daemon.json");
            string socket = Path.Combine(folder, "run", "fusis.sock");
            var info = new ProcessStartInfo("ip", ["netns", "exec", ThroughDaemon, daemon, "balancer", "--listen", "127.0.0.1:18001", "--state", state, "--local-socket", socket])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the daemon");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            TimeSpan throughDaemon;
            try
            {
                var deadline = DateTime.UtcNow.AddMinutes(5);
                while (!File.Exists(socket))
                {
                    if (DateTime.UtcNow > deadline || process.HasExited)
                    {
                        throw new InvalidOperationException("the daemon did not open its local socket");
                    }

                    Thread.Sleep(200);
                }

                throughDaemon = Pwsh(ThroughDaemon, manifest, state, socket, EachAPipeline);
                Check(ThroughDaemon);
            }
            finally
            {
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(30));
            }

            return string.Create(CultureInfo.InvariantCulture, $"""
                | {Changes} x New-FusisDestination in a ForEach-Object loop, no daemon (engine in each command) | {local.TotalSeconds:0.0} s | {ipvsadm.TotalSeconds:0.0} s ({Changes} x ipvsadm -a) | {local / ipvsadm:0.000} | |
                | {Changes} x New-FusisDestination in a ForEach-Object loop, through the daemon's local socket | {throughDaemon.TotalSeconds:0.0} s | {ipvsadm.TotalSeconds:0.0} s ({Changes} x ipvsadm -a) | {throughDaemon / ipvsadm:0.000} | |
                | {Changes} destinations piped into one New-FusisDestination, no daemon (one lock and one load for all; each change saves the one service it grows) | {piped.TotalSeconds:0.0} s | {ipvsadm.TotalSeconds:0.0} s ({Changes} x ipvsadm -a) | {piped / ipvsadm:0.000} | |

                """);
        }
        finally
        {
            foreach (string ns in namespaces)
            {
                Shell.Run("ip", $"netns delete {ns}");
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Real(int i) => $"198.18.{10 + (i / 250)}.{(i % 250) + 1}";

    private static readonly string EachAPipeline =
        $"0..{Changes - 1} | ForEach-Object {{ $null = New-FusisDestination -ServiceName loop -Address \"198.18.$(10 + [math]::Floor($_ / 250)).$($_ % 250 + 1)\" -Port 80 -ErrorAction Stop }}";

    private static readonly string OnePipeline =
        $"$null = 0..{Changes - 1} | ForEach-Object {{ [pscustomobject]@{{ ServiceName = 'loop'; Address = \"198.18.$(10 + [math]::Floor($_ / 250)).$($_ % 250 + 1)\"; Port = 80 }} }} | New-FusisDestination -ErrorAction Stop";

    // pwsh's start and the module's import are not timed: only the loop (Measure-Command inside the session).
    private static TimeSpan Pwsh(string ns, string manifest, string state, string socket, string loop)
    {
        var script = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"$env:FUSIS_STATE_PATH = '{state}'; $env:FUSIS_SOCKET = '{socket}'; Import-Module '{manifest}'; ")
            .Append("$null = New-FusisService -Name loop -Address 198.18.0.1 -Port 80 -Scheduler rr; ")
            .Append(CultureInfo.InvariantCulture, $"(Measure-Command {{ {loop} }}).TotalSeconds")
            .ToString();
        var pwsh = new ProcessStartInfo("ip", ["netns", "exec", ns, "dotnet", "pwsh", "-NoProfile", "-NonInteractive", "-Command", script]) { RedirectStandardOutput = true };
        using Process session = Process.Start(pwsh) ?? throw new InvalidOperationException("cannot start pwsh");
        string output = session.StandardOutput.ReadToEnd();
        if (!session.WaitForExit(TimeSpan.FromMinutes(30)) || session.ExitCode != 0)
        {
            throw new InvalidOperationException($"the New-FusisDestination loop failed: {output}");
        }

        return TimeSpan.FromSeconds(double.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture));
    }

    private static void Check(string ns)
    {
        int destinations = Shell.Run("ip", $"netns exec {ns} ipvsadm -S -n").Stdout.Split('\n').Count(l => l.StartsWith("-a ", StringComparison.Ordinal));
        if (destinations != Changes)
        {
            throw new InvalidOperationException($"{ns}: {destinations} destinations in the kernel, expected {Changes}");
        }
    }
}
