using Fusis.Core.Backends;
using Fusis.Core.State;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// `fusis balancer` settings, with their defaults; <see cref="Settings.BalancerSettings"/> reads them from
/// /etc/fusis/fusis.json (or --config), then FUSIS_* environment variables, then flags.
/// </summary>
public sealed class BalancerOptions
{
    /// <summary>address:port the API listens on; anything but loopback needs a token.</summary>
    public string Listen { get; set; } = "127.0.0.1:8000";

    /// <summary>The desired state (FUSIS_STATE_PATH, as the cmdlets use).</summary>
    public string StatePath { get; set; } = FileDesiredStateStore.DefaultPath;

    /// <summary>
    /// The local endpoint (a Unix socket in a root-only folder) through which this host's cmdlets and DSC reach the
    /// engine without a token (FUSIS_SOCKET, as the cmdlets use); empty: none.
    /// </summary>
    public string LocalSocket { get; set; } = LocalBackend.DefaultSocketPath;

    /// <summary>A file holding the bearer token that writes, and reads beyond loopback, need; none: the API is open (loopback only).</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// Whether reads beyond loopback need no token. Off by default: whoever reaches the API would see every VIP and
    /// backend. Reads on loopback and the local socket never need one.
    /// </summary>
    public bool AnonymousReads { get; set; }

    /// <summary>How often a full reconcile repairs drift.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The local Serf agent's RPC address (host:port); none: no dynamic membership.</summary>
    public string? SerfRpc { get; set; }

    /// <summary>The Serf agent's RPC auth key, if it has one.</summary>
    public string? SerfAuthKey { get; set; }

    /// <summary>How often the member list is re-read in full (events are coalesced and can be lost).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A draining destination is deleted when idle, or after this at the latest.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What a failed member's destinations get: Remove or Drain.</summary>
    public Core.Membership.FailedMemberAction OnFailed { get; set; } = Core.Membership.FailedMemberAction.Remove;

    /// <summary>
    /// A dummy interface (e.g. fusis0) for the VIPs: when set, the balancer configures the network itself
    /// (ip_forward, IPVS sysctls, the interface, one address per owned service). None: the network is left alone.
    /// </summary>
    public string? VipInterface { get; set; }

    /// <summary>A CIDR range services created without an address get one from (IPAM).</summary>
    public string? VipRange { get; set; }

    /// <summary>
    /// The SNAT of NAT-mode services that set none: off or masquerade (kept in the desired state, so the cmdlets use it
    /// too when the daemon is not running); none: the desired state's stays.
    /// </summary>
    public string? Snat { get; set; }

    /// <summary>
    /// etcd's client endpoints (host:port or http://host:port, comma-separated): the balancer joins a cluster whose
    /// desired state is shared there, with one leader holding the VIPs. None: a balancer alone.
    /// </summary>
    public string? Etcd { get; set; }

    /// <summary>This balancer's name in the cluster (unique); the host name by default.</summary>
    public string Node { get; set; } = Environment.MachineName;

    /// <summary>The cluster's keys in etcd start with this (several clusters can share one etcd).</summary>
    public string EtcdPrefix { get; set; } = "/fusis/";

    /// <summary>The leader's lease: a leader that cannot renew it steps down with a third of it left; etcd may round it up.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The interface the IPVS connection-sync daemons use (master on the leader, backup everywhere); none: no sync.</summary>
    public string? SyncInterface { get; set; }

    /// <summary>The sync id every balancer of the cluster uses (1 to 255).</summary>
    public uint SyncId { get; set; } = 1;

    /// <summary>
    /// How the cluster's balancers share the VIPs: Leader (the leader holds them) or Anycast (every balancer holds them
    /// and announces them over BGP through BIRD; services must use the mh scheduler).
    /// </summary>
    public Core.Cluster.ClusterMode ClusterMode { get; set; } = Core.Cluster.ClusterMode.Leader;

    /// <summary>This balancer's AS number (anycast).</summary>
    public uint BgpLocalAs { get; set; }

    /// <summary>The BGP router ID (an IPv4 address); none: the lowest IPv4 address of an interface that is up, but the VIP interface.</summary>
    public string? BgpRouterId { get; set; }

    /// <summary>The BGP neighbours, AS@ADDRESS, comma-separated (anycast).</summary>
    public string? BgpPeers { get; set; }

    /// <summary>The ranges whose VIPs are announced (CIDR, comma-separated); none: VipRange.</summary>
    public string? BgpRanges { get; set; }

    /// <summary>How long a peer keeps this balancer's routes once it stops hearing from it.</summary>
    public TimeSpan BgpHoldTime { get; set; } = TimeSpan.FromSeconds(9);

    /// <summary>The BIRD 2 configuration file Fusis writes (one it did not write is kept beside it, once, as .before-fusis).</summary>
    public string BirdConfig { get; set; } = "/etc/bird/bird.conf";

    /// <summary>BIRD's control socket.</summary>
    public string BirdSocket { get; set; } = "/run/bird/bird.ctl";

    /// <summary>How long a draining anycast balancer goes on forwarding what still reaches it after withdrawing its routes, before it stops.</summary>
    public TimeSpan DrainTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many recent events the event stream and the status page keep (a client that reconnects resumes within them).</summary>
    public int EventHistory { get; set; } = Core.Events.EventLog.DefaultCapacity;

    /// <summary>Request bodies above this many bytes are refused with 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
