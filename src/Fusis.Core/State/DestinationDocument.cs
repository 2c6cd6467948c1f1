namespace Fusis.Core.State;

internal sealed class DestinationDocument
{
    /// <summary>The name the API addresses the destination by (optional).</summary>
    public string? Name { get; set; }

    /// <summary>The Serf member that announced the destination (absent for destinations added by hand).</summary>
    public string? Member { get; set; }

    /// <summary>Draining until this time at the latest (absent: not draining).</summary>
    public DateTimeOffset? DrainUntil { get; set; }

    /// <summary>Held down by its service's health check (absent: up).</summary>
    public bool? Down { get; set; }

    /// <summary>Drained by an operator: weight 0 in the kernel until undrained (absent: not drained).</summary>
    public bool? Drained { get; set; }

    public string? Address { get; set; }

    public ushort Port { get; set; }

    /// <summary>nat, route or tunnel (Words.ForwardingMethods; version 1 wrote masquerade and direct-route).</summary>
    public string? ForwardingMethod { get; set; }

    public int Weight { get; set; }

    public uint UpperThreshold { get; set; }

    public uint LowerThreshold { get; set; }

    /// <summary>"ipip" | "gue" | "gre" (tunnels only).</summary>
    public string? TunnelType { get; set; }

    public ushort TunnelPort { get; set; }

    /// <summary>"none" | "checksum" | "remote-checksum" (GUE and GRE tunnels).</summary>
    public string? TunnelChecksum { get; set; }
}
