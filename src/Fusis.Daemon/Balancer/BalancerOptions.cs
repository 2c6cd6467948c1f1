using Fusis.Core.State;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// `fusis balancer` settings: /etc/fusis/fusis.json (or --config), then FUSIS_* environment variables, then flags.
/// </summary>
public sealed class BalancerOptions
{
    /// <summary>address:port the API listens on; anything but loopback needs a token.</summary>
    public string Listen { get; set; } = "127.0.0.1:8000";

    /// <summary>The desired state (FUSIS_STATE_PATH, as the cmdlets use).</summary>
    public string StatePath { get; set; } =
        Environment.GetEnvironmentVariable("FUSIS_STATE_PATH") is { Length: > 0 } path ? path : DesiredStateStore.DefaultPath;

    /// <summary>A file holding the bearer token that writes need; none: writes are open (loopback only).</summary>
    public string? TokenFile { get; set; }

    /// <summary>How often a full reconcile repairs drift.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Request bodies above this many bytes are refused with 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
