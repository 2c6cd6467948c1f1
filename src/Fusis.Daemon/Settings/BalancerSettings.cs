using Fusis.Daemon.Balancer;
using System.Collections;
using System.Net;
using Fusis.Core.Backends;
using Fusis.Core.Bgp;
using Fusis.Core.Cluster;
using Fusis.Core.Membership;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;

namespace Fusis.Daemon.Settings;

/// <summary>
/// Every setting of <c>fusis balancer</c>, and how they are read: the configuration file (/etc/fusis/fusis.json, or
/// --config / FUSIS_CONFIG), then FUSIS_* variables, then flags, each later source winning. An unknown key or
/// variable is an error naming it and its source, as is a value that cannot be read.
/// </summary>
internal static class BalancerSettings
{
    public const string DefaultConfigPath = "/etc/fusis/fusis.json";

    /// <summary>The variable that names the configuration file.</summary>
    public const string ConfigVariable = "FUSIS_CONFIG";

    /// <summary>FUSIS_* variables another Fusis program reads (the cmdlets): set on a balancer host, they are no typo.</summary>
    public static IReadOnlyList<string> OtherProgramsVariables { get; } = ["FUSIS_BALANCER", "FUSIS_TOKEN"];

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    public static IReadOnlyList<Setting> All { get; } =
    [
        Setting.Text(nameof(BalancerOptions.Listen), "ADDRESS:PORT",
            "Where the HTTP API listens; anything but loopback needs TokenFile.",
            (o, v) => o.Listen = IPEndPoint.TryParse(v, out _) && v.Contains(':', StringComparison.Ordinal) ? v : throw new FormatException(),
            "address:port (for example 127.0.0.1:8000 or [::1]:8000)"),
        Setting.Text(nameof(BalancerOptions.StatePath), "FILE", "The desired-state file (the cmdlets read FUSIS_STATE_PATH too).",
            (o, v) => o.StatePath = v.Length > 0 ? v : throw new FormatException(), "a file path") with { Flag = "--state" },
        Setting.Text(nameof(BalancerOptions.LocalSocket), "PATH",
            "The Unix socket, in a root-only folder, through which this host's cmdlets and fusis dsc reach the engine without a token; empty: none.",
            (o, v) => o.LocalSocket = v, "a socket path, or empty for none") with { Variable = LocalBackend.SocketPathVariable },
        Setting.Text(nameof(BalancerOptions.TokenFile), "FILE", "A file holding the bearer token that writes, and reads beyond loopback, need.",
            (o, v) => o.TokenFile = v.Length > 0 ? v : throw new FormatException(), "a file path"),
        Setting.Boolean(nameof(BalancerOptions.AnonymousReads), "Reads beyond loopback need no token (off: whoever reaches the API would see every VIP and backend).",
            (o, v) => o.AnonymousReads = v),
        Setting.Duration(nameof(BalancerOptions.ReconcileInterval), "How often a full reconcile repairs drift.", TimeSpan.FromSeconds(1), Day,
            (o, v) => o.ReconcileInterval = v),
        Setting.Number(nameof(BalancerOptions.MaxBodyBytes), "Request bodies above this many bytes are refused with 413.", 1024, 1024 * 1024 * 1024,
            (o, v) => o.MaxBodyBytes = v),
        Setting.Number(nameof(BalancerOptions.EventHistory), "How many recent events /events and the status page keep; a client that reconnects resumes within them.",
            100, 1_000_000, (o, v) => o.EventHistory = (int)v),
        Setting.Text(nameof(BalancerOptions.SerfRpc), "HOST:PORT", "The local Serf agent's RPC address; none: no dynamic membership.",
            (o, v) => o.SerfRpc = v.Length > 0 ? v : throw new FormatException(), "host:port (for example 127.0.0.1:7373)"),
        Setting.Text(nameof(BalancerOptions.SerfAuthKey), "KEY", "The Serf agent's RPC auth key, if it has one.",
            (o, v) => o.SerfAuthKey = v),
        Setting.Duration(nameof(BalancerOptions.ResyncInterval), "How often the Serf member list is read again in full (events can be lost).",
            TimeSpan.FromMilliseconds(100), Day, (o, v) => o.ResyncInterval = v),
        Setting.Duration(nameof(BalancerOptions.DrainTimeout), "A draining destination is deleted when idle, or after this at the latest.",
            TimeSpan.FromMilliseconds(100), Day, (o, v) => o.DrainTimeout = v),
        Setting.Choice<FailedMemberAction>(nameof(BalancerOptions.OnFailed), "What a failed Serf member's destinations get.", (o, v) => o.OnFailed = v),
        Setting.Text(nameof(BalancerOptions.VipInterface), "NAME",
            "A dummy interface for the VIPs: the balancer configures the network itself (forwarding, IPVS sysctls, the interface, the VIPs).",
            (o, v) => o.VipInterface = v.Length is > 0 and <= 15 && !v.Any(c => c is '/' or ' ' or ':') ? v : throw new FormatException(),
            "an interface name (1 to 15 characters, no '/', ':' or spaces)"),
        Setting.Text(nameof(BalancerOptions.VipRange), "CIDR", "A range services created without an address get one from.",
            (o, v) => o.VipRange = IPNetwork.TryParse(v, out _) ? v : throw new FormatException(), "a CIDR range (for example 198.18.100.0/24)"),
        Setting.Text(nameof(BalancerOptions.Snat), string.Join('|', Words.SnatModes.Words),
            "The SNAT of NAT services that set none (an address is set per service); none: the desired state's stays.",
            (o, v) => o.Snat = SnatSetting.TryParse(v, out SnatSetting? snat) && snat.Kind != SnatKind.Address ? v : throw new FormatException(),
            Words.SnatModes.Choices),
        Setting.Text(nameof(BalancerOptions.Etcd), "ENDPOINTS",
            "etcd's client endpoints (host:port or http://host:port, comma-separated): join a cluster sharing its desired state there.",
            (o, v) => o.Etcd = v.Length > 0 ? v : throw new FormatException(), "endpoints such as http://10.0.0.5:2379,http://10.0.0.6:2379"),
        Setting.Text(nameof(BalancerOptions.Node), "NAME", "This balancer's name in the cluster (unique).",
            (o, v) => o.Node = DesiredStateNames.IsValid(v) ? v : throw new FormatException(), $"a balancer name: {DesiredStateNames.Rule}") with { DefaultText = "the host name" },
        Setting.Text(nameof(BalancerOptions.EtcdPrefix), "PREFIX", "The cluster's keys in etcd start with this.",
            (o, v) => o.EtcdPrefix = v.StartsWith('/') ? v : throw new FormatException(), "a key prefix starting with '/'"),
        Setting.Duration(nameof(BalancerOptions.LeaseTtl), "The leader's lease: a leader that cannot renew it steps down with a third of it left.",
            TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), (o, v) => o.LeaseTtl = v),
        Setting.Text(nameof(BalancerOptions.SyncInterface), "NAME", "The interface the IPVS connection-sync daemons use; none: no sync.",
            (o, v) => o.SyncInterface = v.Length is > 0 and <= 15 ? v : throw new FormatException(), "an interface name (1 to 15 characters)"),
        Setting.Number(nameof(BalancerOptions.SyncId), "The sync id every balancer of the cluster uses.", 1, 255, (o, v) => o.SyncId = (uint)v),
        Setting.Choice<ClusterMode>(nameof(BalancerOptions.ClusterMode),
            "How the balancers share the VIPs: Leader (the leader holds them) or Anycast (every balancer announces them over BGP; services use mh).",
            (o, v) => o.ClusterMode = v),
        Setting.Number(nameof(BalancerOptions.BgpLocalAs), "This balancer's AS number (anycast).", 1, uint.MaxValue - 1, (o, v) => o.BgpLocalAs = (uint)v),
        Setting.Text(nameof(BalancerOptions.BgpRouterId), "IPV4", "The BGP router ID; none: the lowest IPv4 address of an interface that is up, but the VIP interface.",
            (o, v) => o.BgpRouterId = IPAddress.TryParse(v, out IPAddress? id) && id.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? v : throw new FormatException(),
            "an IPv4 address"),
        Setting.Text(nameof(BalancerOptions.BgpPeers), "AS@ADDRESS,...", "The BGP neighbours that hear the VIPs (anycast).",
            (o, v) => o.BgpPeers = v.Split(',', StringSplitOptions.TrimEntries).All(p => BgpPeer.TryParse(p, out _)) ? v : throw new FormatException(),
            $"peers, comma-separated, each {BgpPeer.Form}"),
        Setting.Text(nameof(BalancerOptions.BgpRanges), "CIDR,...", "The ranges whose VIPs are announced; none: VipRange.",
            (o, v) => o.BgpRanges = v.Split(',', StringSplitOptions.TrimEntries).All(r => IPNetwork.TryParse(r, out _)) ? v : throw new FormatException(),
            "CIDR ranges, comma-separated"),
        Setting.Duration(nameof(BalancerOptions.BgpHoldTime), "How long a peer keeps this balancer's routes once it stops hearing from it (BGP's minimum: 3 s).",
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(65535), (o, v) => o.BgpHoldTime = v),
        Setting.Text(nameof(BalancerOptions.BirdConfig), "FILE", "The BIRD 2 configuration file Fusis writes (one it did not write is kept once as FILE.before-fusis).",
            (o, v) => o.BirdConfig = v.Length > 0 ? v : throw new FormatException(), "a file path"),
        Setting.Text(nameof(BalancerOptions.BirdSocket), "PATH", "BIRD's control socket.",
            (o, v) => o.BirdSocket = v.Length > 0 ? v : throw new FormatException(), "a socket path"),
        Setting.Duration(nameof(BalancerOptions.DrainTime), "How long a draining anycast balancer forwards what still reaches it after withdrawing its routes, before it stops.",
            TimeSpan.Zero, TimeSpan.FromMinutes(10), (o, v) => o.DrainTime = v),
    ];

    /// <summary>What an anycast balancer tells BIRD, from its settings.</summary>
    /// <exception cref="ConfigurationException">Settings BIRD could not use, each problem named.</exception>
    public static BgpSpeaker Speaker(BalancerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? ranges = options.BgpRanges ?? options.VipRange;
        IPAddress routerId = options.BgpRouterId is { } id ? IPAddress.Parse(id) : LowestIPv4(options.VipInterface)
            ?? throw new ConfigurationException("anycast needs BgpRouterId: no interface that is up has an IPv4 address to take it from");
        var speaker = new BgpSpeaker(
            options.BgpLocalAs, routerId, options.VipInterface ?? string.Empty,
            ranges is null ? [] : [.. ranges.Split(',', StringSplitOptions.TrimEntries).Select(IPNetwork.Parse)],
            options.BgpPeers is null ? [] : [.. options.BgpPeers.Split(',', StringSplitOptions.TrimEntries).Select(p => BgpPeer.TryParse(p, out BgpPeer? peer) ? peer : throw new FormatException(p))])
        {
            HoldTime = options.BgpHoldTime,
        };
        return speaker.Problems() is { Count: > 0 } problems
            ? throw new ConfigurationException($"anycast: {string.Join("; ", problems)} (BgpLocalAs, BgpPeers, BgpRanges or VipRange, BgpHoldTime)")
            : speaker;
    }

    private static IPAddress? LowestIPv4(string? vipInterface) => System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus != System.Net.NetworkInformation.OperationalStatus.Down
            && n.NetworkInterfaceType != System.Net.NetworkInformation.NetworkInterfaceType.Loopback && n.Name != vipInterface)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
        .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        .Order(Core.PlainAddress.Order)
        .FirstOrDefault();

    /// <summary>Reads the settings: defaults, then the file, then <paramref name="environment"/>'s FUSIS_* variables, then the flags.</summary>
    /// <param name="flags">Settings given on the command line, by key.</param>
    /// <param name="configPath">--config, if given.</param>
    /// <param name="environment">The process environment (its FUSIS_* variables are read).</param>
    /// <exception cref="ConfigurationException">An unknown key or variable, a value that cannot be read, or a file that cannot.</exception>
    public static BalancerOptions Read(IReadOnlyDictionary<Setting, string> flags, string? configPath, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(environment);
        var variables = environment.Cast<DictionaryEntry>()
            .Where(e => e.Key is string name && name.StartsWith("FUSIS_", StringComparison.Ordinal) && e.Value is string { Length: > 0 })
            .ToDictionary(e => (string)e.Key, e => (string)e.Value!, StringComparer.Ordinal);
        var options = new BalancerOptions();
        string? explicitConfig = configPath ?? variables.GetValueOrDefault(ConfigVariable);
        string path = explicitConfig ?? DefaultConfigPath;
        if (explicitConfig is not null || File.Exists(path))
        {
            ConfigurationFile.Apply(options, path);
        }

        foreach ((string name, string value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (All.FirstOrDefault(s => s.Variable == name) is { } setting)
            {
                setting.Apply(options, value, $"environment variable {name}");
            }
            else if (name != ConfigVariable && !OtherProgramsVariables.Contains(name))
            {
                throw new ConfigurationException(
                    $"unknown environment variable {name}{Suggestion.DidYouMean(name, All.Select(s => s.Variable))}; the balancer reads " +
                    $"{string.Join(", ", All.Select(s => s.Variable))} and {ConfigVariable} (the cmdlets read {string.Join(" and ", OtherProgramsVariables)})");
            }
        }

        foreach ((Setting setting, string value) in flags)
        {
            setting.Apply(options, value, $"{setting.Flag} on the command line");
        }

        Check(options);
        return options;
    }

    // What no single setting can say alone.
    private static void Check(BalancerOptions options)
    {
        if (options.Etcd is not null && options.VipInterface is null)
        {
            throw new ConfigurationException("a cluster (Etcd) needs VipInterface: the leader holds the VIPs there and the others take theirs off");
        }

        if (options.Etcd is not null && !DesiredStateNames.IsValid(options.Node))
        {
            throw new ConfigurationException($"Node '{options.Node}' (the host name by default) is not a balancer name: {DesiredStateNames.Rule}; set Node");
        }

        if (options.ClusterMode == ClusterMode.Anycast)
        {
            if (options.Etcd is null)
            {
                throw new ConfigurationException("ClusterMode anycast needs a cluster (Etcd): the balancers share one desired state, so each makes the same Maglev table");
            }

            Speaker(options);
        }

        if (options.TokenFile is null && IPEndPoint.TryParse(options.Listen, out IPEndPoint? endPoint) && !IPAddress.IsLoopback(endPoint.Address))
        {
            throw new ConfigurationException($"refusing to listen on {options.Listen} without a token: anything but loopback needs TokenFile (--token-file)");
        }
    }
}
