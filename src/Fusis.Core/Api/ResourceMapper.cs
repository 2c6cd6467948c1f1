using System.Net;
using System.Net.Sockets;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Api;

/// <summary>Desired services (the configuration of record) into API resources, with the kernel's counters when it has the service.</summary>
public static class ResourceMapper
{
    /// <summary>A service as the API shows it, with the SNAT in force (its own, or the balancer's default).</summary>
    public static ServiceResource ToResource(DesiredService desired, SnatSetting snat, IpvsService? kernel, IReadOnlyList<IpvsDestination> kernelDestinations)
    {
        ArgumentNullException.ThrowIfNull(snat);
        IpvsService settings = desired.Service;
        IpvsServiceKey key = settings.Key;
        var counters = kernelDestinations.ToDictionary(d => new IPEndPoint(d.Address, d.Port));
        return new ServiceResource(
            desired.Name,
            key.IsFirewallMark ? null : key.Address.ToString(),
            key.Port,
            Words.Protocol(key),
            key.FirewallMark,
            key.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4",
            settings.Scheduler,
            Words.ForwardingMethods.Word(desired.DefaultForwardingMethod),
            (settings.Flags & IpvsServiceFlags.Persistent) != 0 ? settings.Timeout : 0,
            settings.Netmask is { } mask && mask != IpvsService.DefaultNetmask(key.AddressFamily) ? Core.Netmask.Format(key.AddressFamily, mask) : null,
            settings.PersistenceEngine,
            (settings.Flags & IpvsServiceFlags.OnePacket) != 0,
            [.. Words.FlagWords(settings.Flags)],
            snat.ToString(),
            desired.Destinations.Select(d => ToResource(desired, d, counters.GetValueOrDefault(new IPEndPoint(d.Address, d.Port)))).ToList(),
            desired.Check is not { } check ? null : new CheckResource(
                check.Type.ToString().ToLowerInvariant(), check.Type == Core.State.HealthCheckType.Http ? check.Path : null,
                check.StatusMin == check.StatusMax ? $"{check.StatusMin}" : $"{check.StatusMin}-{check.StatusMax}", check.Port,
                check.Interval.TotalSeconds, check.Timeout.TotalSeconds, check.Rise, check.Fall, check.Action.ToString().ToLowerInvariant()),
            kernel?.Statistics is { } s
                ? new ServiceStatsResource(s.Connections, s.IncomingPackets, s.OutgoingPackets, s.IncomingBytes, s.OutgoingBytes,
                    s.ConnectionsPerSecond, s.IncomingPacketsPerSecond, s.OutgoingPacketsPerSecond, s.IncomingBytesPerSecond, s.OutgoingBytesPerSecond)
                : null);
    }

    public static DestinationResource ToResource(DesiredService service, IpvsDestination destination, IpvsDestination? kernel)
    {
        DestinationLabel? label = service.LabelOf(destination);
        return new DestinationResource(
            label?.Name ?? Id(destination),
            destination.Address.ToString(),
            destination.Port,
            destination.Weight,
            Words.ForwardingMethods.Word(destination.ForwardingMethod),
            service.Name,
            destination.UpperThreshold,
            destination.LowerThreshold,
            (destination.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Words.TunnelTypes.Word(destination.TunnelType) : null),
            destination.ForwardingMethod == IpvsForwardingMethod.Tunnel ? destination.TunnelPort : 0,
            (destination.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Words.TunnelChecksums.Word(destination.TunnelChecksum) : null),
            label?.Member,
            label?.Draining ?? false,
            label?.Down ?? false,
            label?.Drained ?? false,
            kernel is null ? null : new DestinationStatsResource(
                kernel.ActiveConnections, kernel.InactiveConnections, kernel.PersistentConnections,
                kernel.Statistics?.Connections ?? 0, kernel.Statistics?.IncomingPackets ?? 0, kernel.Statistics?.OutgoingPackets ?? 0,
                kernel.Statistics?.IncomingBytes ?? 0, kernel.Statistics?.OutgoingBytes ?? 0),
            service.Key.ToString());
    }

    /// <summary>"address:port" ("[v6]:port"): how a destination without a name is addressed.</summary>
    public static string Id(IpvsDestination destination) => new IPEndPoint(destination.Address, destination.Port).ToString();
}
