using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>The destination options New- and Set-FusisDestination share, applied only where the user gave them.</summary>
internal static class DestinationSettings
{
    /// <summary>The bound options as a PATCH body for the balancer's API (remote mode): only what was given.</summary>
    public static Core.Api.DestinationRequest ToPatch(IDictionary<string, object> bound) => new()
    {
        Mode = bound.TryGetValue("ForwardingMethod", out object? method)
            ? Core.Api.ApiNames.Mode(Enum.Parse<IpvsForwardingMethod>((string)method, ignoreCase: true))
            : null,
        Weight = bound.TryGetValue("Weight", out object? weight) ? (int)weight : null,
        UpperThreshold = bound.TryGetValue("UpperThreshold", out object? upper) ? (uint)upper : null,
        LowerThreshold = bound.TryGetValue("LowerThreshold", out object? lower) ? (uint)lower : null,
        TunnelType = bound.TryGetValue("TunnelType", out object? type) ? ((string)type).ToLowerInvariant() : null,
        TunnelPort = bound.TryGetValue("TunnelPort", out object? port) ? (int)port : null,
        TunnelChecksum = bound.TryGetValue("TunnelChecksum", out object? checksum)
            ? (string)checksum switch { "RemoteChecksum" => "remote-checksum", var word => word.ToLowerInvariant() }
            : null,
    };

    /// <summary>
    /// <paramref name="current"/> with every bound option applied; an error when a tunnel option is given to a
    /// destination that does not tunnel.
    /// </summary>
    public static IpvsDestination Apply(IpvsDestination current, IDictionary<string, object> bound, out string? problem)
    {
        problem = null;
        IpvsDestination next = current;
        if (bound.TryGetValue("ForwardingMethod", out object? method))
        {
            next = next with { ForwardingMethod = Enum.Parse<IpvsForwardingMethod>((string)method, ignoreCase: true) };
        }

        if (bound.TryGetValue("Weight", out object? weight))
        {
            next = next with { Weight = (int)weight };
        }

        if (bound.TryGetValue("UpperThreshold", out object? upper))
        {
            next = next with { UpperThreshold = (uint)upper };
        }

        if (bound.TryGetValue("LowerThreshold", out object? lower))
        {
            next = next with { LowerThreshold = (uint)lower };
        }

        bool tunnelOption = false;
        if (bound.TryGetValue("TunnelType", out object? type))
        {
            next = next with { TunnelType = Enum.Parse<IpvsTunnelType>((string)type, ignoreCase: true) };
            tunnelOption = true;
        }

        if (bound.TryGetValue("TunnelPort", out object? port))
        {
            next = next with { TunnelPort = (ushort)(int)port };
            tunnelOption = true;
        }

        if (bound.TryGetValue("TunnelChecksum", out object? checksum))
        {
            next = next with { TunnelChecksum = Enum.Parse<IpvsTunnelChecksum>((string)checksum, ignoreCase: true) };
            tunnelOption = true;
        }

        if (tunnelOption && next.ForwardingMethod != IpvsForwardingMethod.Tunnel)
        {
            problem = $"tunnel options apply only to -ForwardingMethod Tunnel, not {next.ForwardingMethod}";
        }
        else if (next.ForwardingMethod == IpvsForwardingMethod.Tunnel && next.TunnelType == IpvsTunnelType.Gue && next.TunnelPort == 0)
        {
            problem = "a GUE tunnel needs -TunnelPort";
        }

        return next;
    }
}
