using System.Net.Sockets;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Vocabulary;

/// <summary>
/// Every word Fusis uses for a kind of value, written once: the HTTP API, the desired-state file, the cmdlets,
/// both DSC flavours, agent tags and the ipvsadm format's names all read and write these.
/// </summary>
public static class Words
{
    /// <summary>Forwarding methods: the original Fusis's words, with ipvsadm's and the enum's names as aliases.</summary>
    public static WordList<IpvsForwardingMethod> ForwardingMethods { get; } = new(
        (IpvsForwardingMethod.Masquerade, "nat", ["masquerade", "masq", "m"]),
        (IpvsForwardingMethod.DirectRoute, "route", ["directroute", "direct-route", "dr", "gateway", "g"]),
        (IpvsForwardingMethod.Tunnel, "tunnel", ["ipip", "i"]),
        (IpvsForwardingMethod.Local, "local", []));

    /// <summary>The forwarding methods a user may choose (the kernel picks "local" itself).</summary>
    public static IReadOnlyList<string> ChosenForwardingMethods { get; } = ["nat", "route", "tunnel"];

    public static WordList<IpvsProtocol> Protocols { get; } = new(
        (IpvsProtocol.Tcp, "tcp", []),
        (IpvsProtocol.Udp, "udp", []),
        (IpvsProtocol.Sctp, "sctp", []));

    /// <summary>The protocol word of a firewall-mark service.</summary>
    public const string FirewallMarkProtocol = "fwm";

    public static WordList<AddressFamily> AddressFamilies { get; } = new(
        (AddressFamily.InterNetwork, "ipv4", []),
        (AddressFamily.InterNetworkV6, "ipv6", []));

    public static WordList<IpvsTunnelType> TunnelTypes { get; } = new(
        (IpvsTunnelType.IpIp, "ipip", []),
        (IpvsTunnelType.Gue, "gue", []),
        (IpvsTunnelType.Gre, "gre", []));

    public static WordList<IpvsTunnelChecksum> TunnelChecksums { get; } = new(
        (IpvsTunnelChecksum.None, "none", []),
        (IpvsTunnelChecksum.Checksum, "checksum", []),
        (IpvsTunnelChecksum.RemoteChecksum, "remote-checksum", ["remotechecksum"]));

    /// <summary>Scheduler flags (sh and mh read fallback and port); version 1 state files wrote "scheduler-…".</summary>
    public static WordList<IpvsServiceFlags> SchedulerFlags { get; } = new(
        (IpvsServiceFlags.SchedulerFallback, "fallback", ["scheduler-fallback", "sh-fallback", "mh-fallback"]),
        (IpvsServiceFlags.SchedulerPort, "port", ["scheduler-port", "sh-port", "mh-port"]),
        (IpvsServiceFlags.SchedulerFlag3, "flag-3", ["scheduler-flag-3", "flag3"]));

    /// <summary>All the scheduler flags together, to clear them.</summary>
    public const IpvsServiceFlags AllSchedulerFlags = IpvsServiceFlags.SchedulerFallback | IpvsServiceFlags.SchedulerPort | IpvsServiceFlags.SchedulerFlag3;

    public static WordList<HealthCheckType> CheckTypes { get; } = new(
        (HealthCheckType.Tcp, "tcp", []),
        (HealthCheckType.Http, "http", []));

    public static WordList<HealthCheckAction> CheckActions { get; } = new(
        (HealthCheckAction.Remove, "remove", []),
        (HealthCheckAction.Weight0, "weight0", []));

    /// <summary>SNAT modes (an address is the third form: <see cref="SnatSetting"/>).</summary>
    public static WordList<SnatKind> SnatModes { get; } = new(
        (SnatKind.Off, "off", ["none"]),
        (SnatKind.Masquerade, "masquerade", []));

    /// <summary>A balancer's role in a cluster (a balancer without one is its own leader).</summary>
    public static WordList<Cluster.ClusterRole> ClusterRoles { get; } = new(
        (Cluster.ClusterRole.Leader, "leader", []),
        (Cluster.ClusterRole.Standby, "standby", []));

    public static WordList<Cluster.ClusterMode> ClusterModes { get; } = new(
        (Cluster.ClusterMode.Leader, "leader", []),
        (Cluster.ClusterMode.Anycast, "anycast", []));

    /// <summary>A destination's state: whether it takes new connections.</summary>
    public static WordList<DestinationState> DestinationStates { get; } = new(
        (DestinationState.Up, "up", []),
        (DestinationState.Down, "down", []),
        (DestinationState.Draining, "draining", []));

    /// <summary>What an event says happened, as the event stream and the status page write it.</summary>
    public static WordList<Events.FusisEventType> EventTypes { get; } = new(
        (Events.FusisEventType.ServiceCreated, "service-created", []),
        (Events.FusisEventType.ServiceChanged, "service-changed", []),
        (Events.FusisEventType.ServiceRemoved, "service-removed", []),
        (Events.FusisEventType.DestinationAdded, "destination-added", []),
        (Events.FusisEventType.DestinationChanged, "destination-changed", []),
        (Events.FusisEventType.DestinationUp, "destination-up", []),
        (Events.FusisEventType.DestinationDown, "destination-down", []),
        (Events.FusisEventType.DestinationDraining, "destination-draining", []),
        (Events.FusisEventType.DestinationRemoved, "destination-removed", []),
        (Events.FusisEventType.MemberJoined, "member-joined", []),
        (Events.FusisEventType.MemberLeft, "member-left", []),
        (Events.FusisEventType.MemberFailed, "member-failed", []),
        (Events.FusisEventType.DriftRepaired, "drift-repaired", []),
        (Events.FusisEventType.LeaderChanged, "leader-changed", []),
        (Events.FusisEventType.VipAnnounced, "vip-announced", []),
        (Events.FusisEventType.VipWithdrawn, "vip-withdrawn", []));

    /// <summary>The schedulers Debian's kernel ships, with what each does (any other ip_vs_* module name is accepted too).</summary>
    public static IReadOnlyList<(string Name, string Description)> Schedulers { get; } =
    [
        ("rr", "round robin"), ("wrr", "weighted round robin"), ("lc", "least connections"), ("wlc", "weighted least connections (default)"),
        ("lblc", "locality-based least connections"), ("lblcr", "locality-based least connections with replication"),
        ("dh", "destination hashing"), ("sh", "source hashing"), ("sed", "shortest expected delay"), ("nq", "never queue"),
        ("fo", "weighted failover"), ("ovf", "weighted overflow"), ("mh", "maglev hashing"),
    ];

    /// <summary>The protocol word of a service key: tcp, udp, sctp, or fwm.</summary>
    public static string Protocol(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.IsFirewallMark ? FirewallMarkProtocol : Protocols.Word(key.Protocol);
    }

    /// <summary>The scheduler-flag words of <paramref name="flags"/>.</summary>
    public static IReadOnlyList<string> FlagWords(IpvsServiceFlags flags) =>
        [.. new[] { IpvsServiceFlags.SchedulerFallback, IpvsServiceFlags.SchedulerPort, IpvsServiceFlags.SchedulerFlag3 }
            .Where(f => (flags & f) != 0).Select(SchedulerFlags.Word)];
}
