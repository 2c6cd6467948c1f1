using Fusis.Daemon.Balancer;
using System.CommandLine;
using Fusis.Daemon.Settings;

namespace Fusis.Daemon.CommandLine;

/// <summary>
/// <c>fusis balancer</c>'s command line: one flag per setting (<see cref="BalancerSettings"/>), with its default, what
/// it accepts, and its file key and variable in --help; plus --config.
/// </summary>
internal sealed class BalancerCommandLine
{
    private readonly Option<string> _config = new("--config")
    {
        Description = $"The configuration file (JSON; default {BalancerSettings.DefaultConfigPath} when it exists; variable {BalancerSettings.ConfigVariable}).",
        HelpName = "FILE",
    };

    private readonly Dictionary<Setting, Option<string>> _flags = [];

    private readonly Option<bool> _releaseVips = new("--release-vips")
    {
        Description = "Instead of running: take the VIPs this balancer added off its VIP interface and stop its master sync daemon, " +
            "if it belongs to a cluster (Etcd). The unit runs this after the balancer stops, a crash included, so that a dead leader's host " +
            "never answers for a VIP the next leader holds. A balancer alone keeps its VIPs through a restart.",
    };

    public BalancerCommandLine()
    {
        Command = new Command("balancer",
            "Runs the balancer daemon: the engine that owns this host's IPVS services, its HTTP API, Serf membership, health checks, " +
            "and with Etcd a cluster of balancers. Settings come from the configuration file, then FUSIS_* variables, then these flags.");
        Command.Add(_config);
        Command.Add(_releaseVips);
        var defaults = new BalancerOptions();
        foreach (Setting setting in BalancerSettings.All)
        {
            var option = new Option<string>(setting.Flag)
            {
                HelpName = setting.ValueName,
                Description = $"{setting.Description} Default: {setting.Default(defaults)}." +
                    (setting.ValueName.Contains('|', StringComparison.Ordinal) ? string.Empty : $" Accepts {setting.Accepted}.") +
                    $" File key {setting.Key}, variable {setting.Variable}.",
            };
            if (setting.Json == System.Text.Json.JsonValueKind.True)
            {
                // A switch: --anonymous-reads alone is true; --anonymous-reads=false turns it off.
                option.Arity = ArgumentArity.ZeroOrOne;
            }

            if (setting.ValueName.Contains('|', StringComparison.Ordinal))
            {
                option.CompletionSources.Add(setting.ValueName.Split('|'));
            }

            _flags[setting] = option;
            Command.Add(option);
        }
    }

    public Command Command { get; }

    /// <summary>The settings, from the file, the environment and the flags of <paramref name="result"/>.</summary>
    /// <exception cref="ConfigurationException">An unknown key or variable, or a value that cannot be read.</exception>
    public BalancerOptions Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var given = new Dictionary<Setting, string>();
        foreach ((Setting setting, Option<string> option) in _flags)
        {
            if (result.GetResult(option) is not null)
            {
                given[setting] = result.GetValue(option) ?? "true";
            }
        }

        return BalancerSettings.Read(given, result.GetValue(_config), Environment.GetEnvironmentVariables());
    }

    /// <summary>Whether the command line asks to release the VIPs instead of running.</summary>
    public bool ReleasesVips(ParseResult result) => result.GetValue(_releaseVips);

    /// <summary>Reads <c>fusis balancer</c>'s arguments (without the word balancer).</summary>
    /// <exception cref="UsageException">The parser cannot read them.</exception>
    /// <exception cref="ConfigurationException">A setting cannot be used.</exception>
    public static BalancerOptions Read(string[] args)
    {
        var commandLine = new BalancerCommandLine();
        ParseResult result = commandLine.Command.Parse(args);
        FusisCommandLine.ThrowIfUnreadable(result);
        return commandLine.Read(result);
    }
}
