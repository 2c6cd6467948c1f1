using System.Net;
using System.Net.Sockets;
using Fusis.Core.Model;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Api;

/// <summary>API resources into the objects the cmdlets write, so remote and local mode output the same types.</summary>
public static class ApiModel
{
    public static IpvsServiceKey Key(ServiceResource service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Protocol == "fwm")
        {
            return IpvsServiceKey.ForFirewallMark(service.FirewallMark, service.AddressFamily == "ipv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        }

        IpvsProtocol protocol = service.Protocol switch { "udp" => IpvsProtocol.Udp, "sctp" => IpvsProtocol.Sctp, _ => IpvsProtocol.Tcp };
        return IpvsServiceKey.ForEndPoint(protocol, IPAddress.Parse(service.Address!), (ushort)service.Port);
    }

    public static FusisService ToService(ServiceResource service)
    {
        ArgumentNullException.ThrowIfNull(service);
        IpvsServiceKey key = Key(service);
        IpvsServiceFlags flags = (service.Persistent > 0 ? IpvsServiceFlags.Persistent : 0) | (service.OnePacket ? IpvsServiceFlags.OnePacket : 0);
        foreach (string name in service.SchedulerFlags)
        {
            flags |= Words.SchedulerFlags.Parse(name) ?? 0;
        }

        uint? netmask = service.Netmask is { } text && Netmask.TryParse(key.AddressFamily, text, out uint mask, out _) ? mask : null;
        ServiceStatsResource? s = service.Stats;
        var ipvs = new IpvsService
        {
            Key = key,
            Scheduler = service.Scheduler,
            Flags = flags,
            Timeout = service.Persistent,
            Netmask = netmask,
            PersistenceEngine = service.PersistenceEngine,
            Statistics = s is null ? null : new IpvsStatistics(s.Connections, s.PacketsIn, s.PacketsOut, s.BytesIn, s.BytesOut, s.CPS, s.PPSIn, s.PPSOut, s.BPSIn, s.BPSOut),
        };
        return new FusisService(ipvs, new ServiceCatalog.Owned(service.Name, service.Snat), service.Destinations.Count);
    }

    public static FusisDestination ToDestination(DestinationResource destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        DestinationStatsResource? s = destination.Stats;
        var ipvs = new IpvsDestination
        {
            Address = IPAddress.Parse(destination.Address),
            Port = (ushort)destination.Port,
            Weight = destination.Weight,
            ForwardingMethod = Words.ForwardingMethods.Parse(destination.Mode) ?? IpvsForwardingMethod.Masquerade,
            UpperThreshold = destination.UpperThreshold,
            LowerThreshold = destination.LowerThreshold,
            TunnelType = destination.TunnelType is { } type ? Words.TunnelTypes.Parse(type) ?? IpvsTunnelType.IpIp : IpvsTunnelType.IpIp,
            TunnelPort = (ushort)destination.TunnelPort,
            TunnelChecksum = destination.TunnelChecksum is { } checksum ? Words.TunnelChecksums.Parse(checksum) ?? IpvsTunnelChecksum.None : IpvsTunnelChecksum.None,
            ActiveConnections = s?.ActiveConns ?? 0,
            InactiveConnections = s?.InactiveConns ?? 0,
            PersistentConnections = s?.PersistConns ?? 0,
            Statistics = s is null ? null : new IpvsStatistics(s.Connections, s.PacketsIn, s.PacketsOut, s.BytesIn, s.BytesOut, 0, 0, 0, 0, 0),
        };
        return new FusisDestination(destination.ServiceId, destination.Service, ipvs, FusisDestination.StateOf(destination.Down, destination.Draining || destination.Drained));
    }
}
