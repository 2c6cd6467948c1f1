using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Api;

/// <summary>The words of the HTTP API (the original Fusis's, with the aliases its clients used) and their kernel values.</summary>
public static class ApiNames
{
    public static string Mode(IpvsForwardingMethod method) => method switch
    {
        IpvsForwardingMethod.DirectRoute => "route",
        IpvsForwardingMethod.Tunnel => "tunnel",
        IpvsForwardingMethod.Local => "local",
        _ => "nat",
    };

    public static IpvsForwardingMethod? ParseMode(string word) => word.ToLowerInvariant() switch
    {
        "nat" or "masq" or "masquerade" => IpvsForwardingMethod.Masquerade,
        "route" or "dr" or "direct-route" or "gateway" => IpvsForwardingMethod.DirectRoute,
        "tunnel" or "ipip" => IpvsForwardingMethod.Tunnel,
        _ => null,
    };

    public static string Protocol(IpvsServiceKey key) => key.IsFirewallMark ? "fwm" : key.Protocol.ToString().ToLowerInvariant();

    public static string? TunnelType(IpvsDestination destination) =>
        destination.ForwardingMethod == IpvsForwardingMethod.Tunnel ? destination.TunnelType.ToString().ToLowerInvariant() : null;

    public static IpvsTunnelType? ParseTunnelType(string word) => word.ToLowerInvariant() switch
    {
        "ipip" => IpvsTunnelType.IpIp,
        "gue" => IpvsTunnelType.Gue,
        "gre" => IpvsTunnelType.Gre,
        _ => null,
    };

    public static string? TunnelChecksum(IpvsDestination destination) => destination.ForwardingMethod != IpvsForwardingMethod.Tunnel ? null : destination.TunnelChecksum switch
    {
        IpvsTunnelChecksum.Checksum => "checksum",
        IpvsTunnelChecksum.RemoteChecksum => "remote-checksum",
        _ => "none",
    };

    public static IpvsTunnelChecksum? ParseTunnelChecksum(string word) => word.ToLowerInvariant() switch
    {
        "none" => IpvsTunnelChecksum.None,
        "checksum" => IpvsTunnelChecksum.Checksum,
        "remote-checksum" => IpvsTunnelChecksum.RemoteChecksum,
        _ => null,
    };

    public static readonly (IpvsServiceFlags Flag, string Name)[] SchedulerFlags =
        [(IpvsServiceFlags.SchedulerFallback, "fallback"), (IpvsServiceFlags.SchedulerPort, "port"), (IpvsServiceFlags.SchedulerFlag3, "flag-3")];
}
