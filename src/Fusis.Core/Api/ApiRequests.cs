using System.Net.Sockets;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Api;

/// <summary>Kernel settings as API request bodies (the cmdlets' remote mode sends what local mode would apply).</summary>
public static class ApiRequests
{
    public static ServiceRequest Service(string name, IpvsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        IpvsServiceKey key = service.Key;
        return new ServiceRequest
        {
            Name = name,
            Address = key.IsFirewallMark ? null : key.Address.ToString(),
            Port = key.IsFirewallMark ? null : key.Port,
            Protocol = Words.Protocol(key),
            FirewallMark = key.IsFirewallMark ? key.FirewallMark : null,
            AddressFamily = key.IsFirewallMark ? (key.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4") : null,
            Scheduler = service.Scheduler,
            Persistent = (service.Flags & IpvsServiceFlags.Persistent) != 0 ? service.Timeout : 0,
            Netmask = service.Netmask is { } mask ? Netmask.Format(key.AddressFamily, mask) : null,
            PersistenceEngine = service.PersistenceEngine,
            OnePacket = (service.Flags & IpvsServiceFlags.OnePacket) != 0,
            SchedulerFlags = [.. Words.FlagWords(service.Flags)],
        };
    }

    public static DestinationRequest Destination(IpvsDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        bool tunnel = destination.ForwardingMethod == IpvsForwardingMethod.Tunnel;
        return new DestinationRequest
        {
            Address = destination.Address.ToString(),
            Port = destination.Port,
            Weight = destination.Weight,
            Mode = Words.ForwardingMethods.Word(destination.ForwardingMethod),
            UpperThreshold = destination.UpperThreshold,
            LowerThreshold = destination.LowerThreshold,
            TunnelType = tunnel ? (destination.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Words.TunnelTypes.Word(destination.TunnelType) : null) : null,
            TunnelPort = tunnel && destination.TunnelPort != 0 ? destination.TunnelPort : null,
            TunnelChecksum = tunnel ? (destination.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Words.TunnelChecksums.Word(destination.TunnelChecksum) : null) : null,
        };
    }
}
