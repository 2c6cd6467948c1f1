using System.Diagnostics;
using Fusis.Daemon.CommandLine;
using Fusis.Daemon.Settings;

namespace Fusis.Daemon.Tests;

/// <summary>
/// The <c>fusis</c> command line as an operator meets it: help for every command and setting, both flag forms,
/// completions, and a clear refusal (naming what and where) for every kind of mistake, with the documented exit code.
/// Environment variables are process-wide: these tests run alone.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-cli-");

    private static string DebianFolder => Path.Combine(Repository.Root, "src", "Fusis.Daemon", "debian");

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Fusis_help_lists_the_commands_and_the_exit_codes(string help)
    {
        var (code, stdout, _) = Fusis(help);

        Assert.Equal(0, code);
        foreach (string expected in new[] { "balancer", "agent", "dsc", "completion", "--version", "64", "65", "69", "78" })
        {
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Balancer_help_lists_every_setting_with_its_default_what_it_accepts_and_its_key_and_variable()
    {
        var (code, stdout, _) = Fusis("balancer", "--help");

        Assert.Equal(0, code);
        var defaults = new Balancer.BalancerOptions();
        foreach (Setting setting in BalancerSettings.All)
        {
            string text = string.Join(' ', stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"{setting.Flag} <{setting.ValueName}>", text, StringComparison.Ordinal);
            Assert.Contains($"Default: {setting.Default(defaults)}.", text, StringComparison.Ordinal);
            Assert.Contains($"File key {setting.Key}, variable {setting.Variable}.", text, StringComparison.Ordinal);
        }

        Assert.Contains("--on-failed <Remove|Drain>", stdout, StringComparison.Ordinal);
        Assert.Contains("Default: 30s", stdout, StringComparison.Ordinal); // ReconcileInterval, in the form flags accept
    }

    [Fact]
    public void Agent_and_dsc_help_list_their_options_and_arguments()
    {
        var (agentCode, agent, _) = Fusis("agent", "-h");
        var (dscCode, dsc, _) = Fusis("dsc", "--help");

        Assert.Equal((0, 0), (agentCode, dscCode));
        foreach (string flag in new[] { "--service", "--address", "--serf-rpc", "--serf", "--node", "--bind", "--join", "--drain-timeout", "Default: 127.0.0.1:7373" })
        {
            Assert.Contains(flag, agent, StringComparison.Ordinal);
        }

        Assert.Contains("<operation>", dsc, StringComparison.Ordinal);
        Assert.Contains("<resource>", dsc, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_take_their_value_after_a_space_or_an_equals_sign_and_durations_take_units()
    {
        Balancer.BalancerOptions spaced = BalancerCommandLine.Read(["--reconcile-interval", "45s", "--resync-interval", "500ms", "--drain-timeout", "5m"]);
        Balancer.BalancerOptions joined = BalancerCommandLine.Read(["--reconcile-interval=00:00:45", "--resync-interval=0.5s", "--drain-timeout=1h", "--anonymous-reads"]);

        Assert.Equal((TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5), false),
            (spaced.ReconcileInterval, spaced.ResyncInterval, spaced.DrainTimeout, spaced.AnonymousReads));
        Assert.Equal((TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1), true),
            (joined.ReconcileInterval, joined.ResyncInterval, joined.DrainTimeout, joined.AnonymousReads));
        Assert.False(BalancerCommandLine.Read(["--anonymous-reads=false"]).AnonymousReads);
    }

    [Theory]
    [InlineData(new[] { "balancer", "--lisen", "127.0.0.1:8000" }, "'--lisen'", "did you mean --listen?")]
    [InlineData(new[] { "balancer", "--listen" }, "--listen", "fusis balancer --help")]
    [InlineData(new[] { "agent", "--serf-rpc", "127.0.0.1:7373" }, "--service", "fusis agent --help")]
    [InlineData(new[] { "agnet" }, "'agnet'", "did you mean agent?")]
    [InlineData(new string[0], "command", "fusis --help")]
    [InlineData(new[] { "completion", "fish" }, "fish", "fusis completion --help")]
    public void What_the_parser_cannot_read_exits_64_naming_it_and_where_help_is(string[] args, string names, string hint)
    {
        var (code, stdout, stderr) = Fusis(args);

        Assert.Equal(64, code); // the README's number, not the constant
        Assert.Empty(stdout);
        Assert.Contains(names, stderr, StringComparison.Ordinal);
        Assert.Contains(hint, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_in_the_file_exits_78_naming_it_its_file_and_line_and_the_likely_key()
    {
        string config = Write("fusis.json", "{\n  \"Listen\": \"127.0.0.1:8000\",\n  \"Lisen\": \"127.0.0.1:9000\"\n}");

        var (code, _, stderr) = Fusis("balancer", "--config", config);

        Assert.Equal(78, code);
        Assert.Contains($"unknown setting 'Lisen' in {config} line 3", stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean Listen?", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_FUSIS_variable_exits_78_naming_it_and_the_likely_variable()
    {
        var (code, _, stderr) = WithVariable("FUSIS_LISEN", "127.0.0.1:9000", () => Fusis("balancer", "--config", Write("empty.json", "{}")));

        Assert.Equal(78, code);
        Assert.Contains("unknown environment variable FUSIS_LISEN", stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean FUSIS_LISTEN?", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_value_names_its_source_and_what_is_accepted_in_the_file_the_environment_and_on_the_command_line()
    {
        string config = Write("fusis.json", "{\n  // the failed members\n  \"OnFailed\": \"Sometimes\"\n}");
        string fromFile = Fusis("balancer", "--config", config).Stderr;
        string fromVariable = WithVariable("FUSIS_ON_FAILED", "Sometimes", () => Fusis("balancer", "--config", Write("empty.json", "{}"))).Stderr;
        string fromFlag = Fusis("balancer", "--config", Write("empty.json", "{}"), "--on-failed=Sometimes").Stderr;

        Assert.Contains($"OnFailed ({config} line 3): 'Sometimes' is not one of Remove, Drain", fromFile, StringComparison.Ordinal);
        Assert.Contains("OnFailed (environment variable FUSIS_ON_FAILED): 'Sometimes' is not one of Remove, Drain", fromVariable, StringComparison.Ordinal);
        Assert.Contains("OnFailed (--on-failed on the command line): 'Sometimes' is not one of Remove, Drain", fromFlag, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"MaxBodyBytes\": \"big\"}", "\"big\" is not a number; it is a whole number from 1024 to 1073741824")]
    [InlineData("{\"ReconcileInterval\": 30}", "30 is not a string; it is a duration such as 500ms, 30s, 5m, 1h or 00:00:30, from 1s to 24h")]
    [InlineData("{\"AnonymousReads\": \"yes\"}", "\"yes\" is not true or false")]
    [InlineData("{\"Listen\": \"1.2.3.4:80\", \"listen\": \"1.2.3.4:81\"}", "Listen is given twice")]
    [InlineData("[\"Listen\"]", "is not a JSON object of settings")]
    [InlineData("{\n  \"Listen\": \"127.0.0.1:8000\"\n  \"Snat\": \"off\"\n}", "is not valid JSON at line 3, column 3")]
    public void A_file_of_the_wrong_shape_is_refused_with_where_and_why(string json, string expected)
    {
        var (code, _, stderr) = Fusis("balancer", "--config", Write("fusis.json", json));

        Assert.Equal(78, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_override_variables_which_override_the_file_with_the_variables_own_spelling()
    {
        string config = Write("fusis.json", """{"ReconcileInterval":"11s","DrainTimeout":"12s","ResyncInterval":"13s","SyncId":7}""");

        Balancer.BalancerOptions options = WithVariable("FUSIS_DRAIN_TIMEOUT", "22s",
            () => WithVariable("FUSIS_RESYNC_INTERVAL", "23s", () => BalancerCommandLine.Read(["--config", config, "--resync-interval", "33s"])));

        Assert.Equal((TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(22), TimeSpan.FromSeconds(33), 7u),
            (options.ReconcileInterval, options.DrainTimeout, options.ResyncInterval, options.SyncId));
    }

    [Fact]
    public void The_packaged_configuration_file_reads_and_its_documented_example_names_every_setting_once_with_a_value_it_accepts()
    {
        Balancer.BalancerOptions shipped = BalancerCommandLine.Read(["--config", Path.Combine(DebianFolder, "fusis.json")]);
        string[] lines = File.ReadAllLines(Path.Combine(DebianFolder, "fusis.example.json"));
        string[] settings = [.. lines.Where(l => l.TrimStart().StartsWith("// \"", StringComparison.Ordinal))];
        // The example with its settings uncommented, except those that need something on this machine (a token file).
        string uncommented = string.Join('\n', lines.Select(l => settings.Contains(l) && !l.Contains("TokenFile", StringComparison.Ordinal) ? l.Replace("// ", string.Empty, StringComparison.Ordinal) : l));

        Balancer.BalancerOptions example = BalancerCommandLine.Read(["--config", Write("example.json", uncommented)]);

        Assert.Equal("127.0.0.1:8000", shipped.Listen);
        Assert.Equal(
            BalancerSettings.All.Select(s => s.Key).Order(StringComparer.Ordinal),
            settings.Select(l => l.Split('"')[1]).Order(StringComparer.Ordinal));
        Assert.Equal(("fusis0", "http://10.0.0.5:2379", 1u), (example.VipInterface, example.Etcd, example.SyncId));
    }

    [Fact]
    public void Completion_prints_a_bash_script_and_the_executable_completes_flags_and_values()
    {
        var (code, script, _) = Fusis("completion", "bash");
        const string line = "fusis balancer --on-failed ";
        var (suggestCode, values, _) = Fusis($"[suggest:{line.Length}]", line);
        var (_, flags, _) = Fusis("[suggest:21]", "fusis balancer --reco");

        Assert.Equal((0, 0), (code, suggestCode));
        Assert.Contains("complete -o default -F _fusis_complete fusis", script, StringComparison.Ordinal);
        Assert.Contains("[suggest:${COMP_POINT}]", script, StringComparison.Ordinal);
        Assert.Equal(["Drain", "Remove"], values.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("--reconcile-interval", flags, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_vips_leaves_a_balancer_alone_its_VIPs()
    {
        var (code, stdout, _) = Fusis("balancer", "--release-vips", "--config", Write("empty.json", "{}"), "--vip-interface", "fusis0");

        Assert.Equal(0, code);
        Assert.Contains("a balancer alone (no Etcd) keeps its VIPs", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_agent_duration_is_refused_and_a_good_one_takes_units()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Agent.AgentHost.Parse(["--service", "web:80", "--drain-timeout", "5s"]).DrainTimeout);

        var error = Assert.Throws<ConfigurationException>(() => Agent.AgentHost.Parse(["--service", "web:80", "--drain-timeout", "soon"]));

        Assert.Contains("is not a duration such as 500ms, 30s, 5m, 1h or 00:00:30", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_systemd_log_lines_carry_their_priority_and_waiting_for_serf_is_said_without_a_stack_trace()
    {
        // The agent's parent is named systemd (a shell under that name): it believes it runs as a unit, as the lab's
        // notify test does for the balancer.
        string systemd = Path.Combine(_folder.FullName, "systemd");
        File.CreateSymbolicLink(systemd, "/bin/sh");
        string fusis = Path.Combine(AppContext.BaseDirectory, "fusis");
        var info = new ProcessStartInfo(systemd, ["-c", "\"$0\" agent --service web:80 --serf-rpc 127.0.0.1:9 & wait $!", fusis])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process agent = Process.Start(info)!;
        var lines = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await agent.StandardOutput.ReadLineAsync(timeout.Token) is { } text)
            {
                lines.Add(text);
                if (text.Contains("waiting for the serf agent", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            agent.Kill(entireProcessTree: true);
            await agent.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        string waiting = Assert.Single(lines, l => l.Contains("waiting for the serf agent at 127.0.0.1:9", StringComparison.Ordinal));
        Assert.StartsWith("<4>", waiting, StringComparison.Ordinal); // a warning, as journald reads it
        Assert.Contains("giving up in 60 s", waiting, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_agent_that_cannot_start_serf_says_so_in_one_line_and_exits_69_without_a_stack_trace()
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "fusis"), ["agent", "--service", "web:80", "--serf", "/nonexistent/serf"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process agent = Process.Start(info)!;
        Task<string> stdout = agent.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = agent.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await agent.WaitForExitAsync(timeout.Token);
        string output = await stdout + await stderr;

        Assert.Equal(69, agent.ExitCode);
        Assert.Contains("the agent cannot run", output, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/serf", output, StringComparison.Ordinal);
        Assert.DoesNotContain(output.Split('\n'), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Anycast_needs_a_cluster_and_usable_bgp_settings_and_names_every_problem()
    {
        string[] cluster = ["--etcd", "http://198.18.40.5:2379", "--node", "lb1", "--vip-interface", "fusis0", "--cluster-mode", "anycast"];

        var alone = Assert.Throws<ConfigurationException>(() => BalancerCommandLine.Read(["--cluster-mode", "anycast"]));
        var unusable = Assert.Throws<ConfigurationException>(() => BalancerCommandLine.Read([.. cluster, "--bgp-router-id", "198.18.40.11"]));
        var peer = Assert.Throws<ConfigurationException>(() => BalancerCommandLine.Read([.. cluster, "--bgp-peers", "198.18.40.1"]));
        Balancer.BalancerOptions usable = BalancerCommandLine.Read(
            [.. cluster, "--bgp-local-as", "65001", "--bgp-router-id", "198.18.40.11", "--bgp-peers", "65000@198.18.40.1, 65000@fd00:40::1", "--vip-range", "198.18.100.0/24"]);

        Assert.Contains("needs a cluster (Etcd)", alone.Message, StringComparison.Ordinal);
        foreach (string problem in new[] { "local AS 0", "no VIP range", "no BGP peer" })
        {
            Assert.Contains(problem, unusable.Message, StringComparison.Ordinal);
        }

        Assert.Contains("AS@ADDRESS", peer.Message, StringComparison.Ordinal);
        Core.Bgp.BgpSpeaker speaker = BalancerSettings.Speaker(usable);
        Assert.Equal(["198.18.100.0/24"], speaker.VipRanges.Select(r => r.ToString()));
        Assert.Equal(["65000@198.18.40.1", "65000@fd00:40::1"], speaker.Peers.Select(p => p.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(9), speaker.HoldTime);
    }

    private static (int Code, string Stdout, string Stderr) Fusis(params string[] args) =>
        ConsoleCapture.Run(() => FusisCommandLine.InvokeAsync(args, Console.Out, Console.Error).GetAwaiter().GetResult());

    private static T WithVariable<T>(string name, string value, Func<T> action)
    {
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
