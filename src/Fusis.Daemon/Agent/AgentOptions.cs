using Fusis.Core.Membership;

namespace Fusis.Daemon.Agent;

/// <summary>`fusis agent` settings (flags only: an agent is one command line in a unit file or a container).</summary>
public sealed class AgentOptions
{
    /// <summary>The local Serf agent's RPC address.</summary>
    public string SerfRpc { get; set; } = "127.0.0.1:7373";

    /// <summary>A serf executable to start and supervise; none: attach to the agent already at <see cref="SerfRpc"/>.</summary>
    public string? SerfPath { get; set; }

    /// <summary>Node name of a started serf agent (default: the host name).</summary>
    public string? Node { get; set; }

    /// <summary>Gossip bind address of a started serf agent.</summary>
    public string? Bind { get; set; }

    /// <summary>Cluster members to join.</summary>
    public List<string> Join { get; } = [];

    public List<ServiceAnnouncement> Services { get; } = [];

    /// <summary>This backend's addresses of the other family (a dual-stack host), announced for that family's services.</summary>
    public List<System.Net.IPAddress> Addresses { get; } = [];

    /// <summary>How long a graceful stop waits for the balancer to drain this node before leaving anyway.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
