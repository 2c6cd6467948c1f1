using Fusis.Core.Api;

namespace Fusis.Commands;

/// <summary>The destination options New- and Set-FusisDestination share, as an API request with only what the user gave.</summary>
internal static class DestinationSettings
{
    public static DestinationRequest ToRequest(IDictionary<string, object> bound) => new()
    {
        Mode = bound.TryGetValue("ForwardingMethod", out object? method) ? (string)method : null,
        Weight = bound.TryGetValue("Weight", out object? weight) ? (int)weight : null,
        UpperThreshold = bound.TryGetValue("UpperThreshold", out object? upper) ? (uint)upper : null,
        LowerThreshold = bound.TryGetValue("LowerThreshold", out object? lower) ? (uint)lower : null,
        TunnelType = bound.TryGetValue("TunnelType", out object? type) ? (string)type : null,
        TunnelPort = bound.TryGetValue("TunnelPort", out object? port) ? (int)port : null,
        TunnelChecksum = bound.TryGetValue("TunnelChecksum", out object? checksum) ? (string)checksum : null,
    };
}
