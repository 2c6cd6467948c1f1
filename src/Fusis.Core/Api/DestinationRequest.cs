using System.Text.Json.Serialization;

namespace Fusis.Core.Api;

/// <summary>A destination as clients send it (the original Fusis fields, and thresholds and tunnel settings).</summary>
public sealed class DestinationRequest
{
    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Name { get; set; }

    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Address { get; set; }

    /// <summary>The original Fusis's name for <see cref="Address"/>.</summary>
    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Host { get; set; }

    /// <summary>The service's port when absent.</summary>
    public int? Port { get; set; }

    public int? Weight { get; set; }

    /// <summary>nat (also masq, masquerade), route (dr, direct-route) or tunnel (ipip); the service's Mode when absent.</summary>
    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Mode { get; set; }

    public uint? UpperThreshold { get; set; }

    public uint? LowerThreshold { get; set; }

    /// <summary>ipip, gue or gre (tunnel mode only).</summary>
    public string? TunnelType { get; set; }

    public int? TunnelPort { get; set; }

    /// <summary>none, checksum or remote-checksum (GUE and GRE).</summary>
    public string? TunnelChecksum { get; set; }

    /// <summary>Sent by original Fusis clients; the route's service name wins.</summary>
    public string? ServiceId { get; set; }
}
