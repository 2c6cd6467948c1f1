using System.CommandLine;
using Fusis.Core.Membership;
using Fusis.Core.Vocabulary;
using Fusis.Daemon.Agent;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.CommandLine;

/// <summary><c>fusis agent</c>'s command line (flags only: an agent is one command line in a unit file or a container).</summary>
internal sealed class AgentCommandLine
{
    private static readonly AgentOptions Defaults = new();

    private readonly Option<string[]> _service = new("--service")
    {
        Description = "A service this backend serves, NAME:PORT[:WEIGHT[:MODE]] (MODE nat, route, tunnel, ipip, gre, gue/PORT[/CHECKSUM]); " +
            "several separated by commas, or the flag repeated.",
        HelpName = "NAME:PORT[:WEIGHT[:MODE]]",
        Arity = ArgumentArity.OneOrMore,
        Required = true,
    };

    private readonly Option<string[]> _address = new("--address")
    {
        Description = $"This backend's address of the other family (a dual-stack host), announced for that family's services; at most {AgentTags.MaxAddresses}.",
        HelpName = "ADDRESS",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<string> _serfRpc = new("--serf-rpc")
    {
        Description = $"The local serf agent's RPC address. Default: {Defaults.SerfRpc}.",
        HelpName = "HOST:PORT",
    };

    private readonly Option<string> _serf = new("--serf")
    {
        Description = "A serf executable to start and supervise; none: attach to the agent already at --serf-rpc.",
        HelpName = "PATH",
    };

    private readonly Option<string> _node = new("--node") { Description = "The started serf agent's node name. Default: the host name.", HelpName = "NAME" };

    private readonly Option<string> _bind = new("--bind") { Description = "The started serf agent's gossip address.", HelpName = "ADDRESS" };

    private readonly Option<string[]> _join = new("--join")
    {
        Description = "A cluster member to join (repeat for several).",
        HelpName = "ADDRESS",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<string> _drainTimeout = new("--drain-timeout")
    {
        Description = $"How long a graceful stop waits for the balancer to drain this backend before leaving anyway. Default: {Durations.Format(Defaults.DrainTimeout)}. " +
            $"Accepts {Durations.Forms}.",
        HelpName = "DURATION",
    };

    public AgentCommandLine()
    {
        Command = new Command("agent",
            "Runs the agent on a backend: starts (or attaches to) serf, announces this backend's services in its tags, prepares the " +
            "backend for each service's forwarding method, and on SIGTERM drains, leaves and undoes what it set.");
        foreach (Option option in new Option[] { _service, _address, _serfRpc, _serf, _node, _bind, _join, _drainTimeout })
        {
            Command.Add(option);
        }
    }

    public Command Command { get; }

    /// <exception cref="ConfigurationException">A value the agent cannot use.</exception>
    public AgentOptions Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = new AgentOptions
        {
            SerfRpc = result.GetValue(_serfRpc) ?? Defaults.SerfRpc,
            SerfPath = result.GetValue(_serf),
            Node = result.GetValue(_node),
            Bind = result.GetValue(_bind),
        };
        options.Join.AddRange(result.GetValue(_join) ?? []);
        if (result.GetValue(_drainTimeout) is { } drain)
        {
            options.DrainTimeout = Durations.TryParse(drain, TimeSpan.FromDays(1), out TimeSpan timeout)
                ? timeout
                : throw new ConfigurationException($"--drain-timeout '{drain}' is not {Durations.Forms}, at most 1 day");
        }

        foreach (string value in result.GetValue(_service) ?? [])
        {
            IReadOnlyList<ServiceAnnouncement> parsed = AgentTags.Parse(value, out IReadOnlyList<string> problems);
            if (problems.Count > 0)
            {
                throw new ConfigurationException($"--service {string.Join("; ", problems)}");
            }

            if (parsed.FirstOrDefault(a => a is { TunnelType: IpvsTunnelType.Gre, TunnelChecksum: not IpvsTunnelChecksum.None }) is { } checksummed)
            {
                // The kernel's gre0 drops GRE whose checksum flag differs from its own (none); receiving it
                // needs a device with icsum for each balancer, which the agent does not create.
                throw new ConfigurationException($"--service {checksummed.Service}: the agent cannot prepare a backend for GRE with checksums; use gre, or gue/PORT/checksum");
            }

            options.Services.AddRange(parsed);
        }

        foreach (string value in result.GetValue(_address) ?? [])
        {
            options.Addresses.Add(!value.Contains(',', StringComparison.Ordinal) && AgentTags.ParseAddresses(value) is [var address]
                ? address
                : throw new ConfigurationException($"--address '{value}' is not an IPv4 or IPv6 address (without a zone)"));
        }

        if (options.Addresses.Count > AgentTags.MaxAddresses)
        {
            throw new ConfigurationException($"--address is given at most {AgentTags.MaxAddresses} times");
        }

        if (AgentTags.Format(options.Services).Length + string.Join(',', options.Addresses).Length > 400)
        {
            throw new ConfigurationException("the services do not fit in Serf's 512-byte tag limit; announce fewer");
        }

        return options;
    }

    /// <summary>Reads <c>fusis agent</c>'s arguments (without the word agent).</summary>
    /// <exception cref="UsageException">The parser cannot read them.</exception>
    /// <exception cref="ConfigurationException">A value the agent cannot use.</exception>
    public static AgentOptions Read(string[] args)
    {
        var commandLine = new AgentCommandLine();
        ParseResult result = commandLine.Command.Parse(args);
        FusisCommandLine.ThrowIfUnreadable(result);
        return commandLine.Read(result);
    }
}
