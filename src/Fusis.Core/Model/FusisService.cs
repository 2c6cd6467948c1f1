using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Model;

/// <summary>
/// A virtual service as cmdlets show it: the kernel's settings and counters, and the name Fusis knows it by
/// (none, and <see cref="Managed"/> false, for a service Fusis does not own). Flat, so it survives
/// ConvertTo-Json and Export-Csv.
/// </summary>
public sealed class FusisService
{
    internal FusisService(IpvsService service, ServiceCatalog.Owned? owned, int destinations)
    {
        Key = service.Key;
        Name = owned?.Name;
        Snat = owned?.Snat;
        Scheduler = service.Scheduler;
        Destinations = destinations;
        Persistent = (service.Flags & IpvsServiceFlags.Persistent) != 0;
        PersistenceTimeout = service.Timeout;
        PersistenceEngine = service.PersistenceEngine;
        OnePacket = (service.Flags & IpvsServiceFlags.OnePacket) != 0;
        SchedulerFlags = [.. Words.FlagWords(service.Flags)];
        Netmask = Fusis.Core.Netmask.Format(service.Key.AddressFamily, service.EffectiveNetmask);
        IpvsStatistics stats = service.Statistics ?? new IpvsStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        (Connections, InPackets, OutPackets, InBytes, OutBytes) = (stats.Connections, stats.IncomingPackets, stats.OutgoingPackets, stats.IncomingBytes, stats.OutgoingBytes);
        (ConnectionsPerSecond, InBytesPerSecond, OutBytesPerSecond) = (stats.ConnectionsPerSecond, stats.IncomingBytesPerSecond, stats.OutgoingBytesPerSecond);
    }

    /// <summary>The user-facing name; null for a service Fusis does not own.</summary>
    public string? Name { get; }

    /// <summary>Whether Fusis owns the service (it is in the desired state); others are shown, never changed.</summary>
    public bool Managed => Name is not null;

    /// <summary>tcp, udp, sctp, or fwm for a firewall-mark service.</summary>
    public string Protocol => Words.Protocol(Key);

    /// <summary>The virtual address; null for a firewall-mark service.</summary>
    public string? Address => Key.IsFirewallMark ? null : Key.Address.ToString();

    public int Port => Key.Port;

    public uint FirewallMark => Key.FirewallMark;

    /// <summary>ipv4 or ipv6.</summary>
    public string AddressFamily => Words.AddressFamilies.Word(Key.AddressFamily);

    /// <summary>As ipvsadm names it: "TCP 198.18.0.1:80", "FWM 7".</summary>
    public string Service => Key.ToString();

    public string Scheduler { get; }

    /// <summary>The SNAT in force: off, masquerade or an address (the service's own, or the balancer's default); null for a service Fusis does not own.</summary>
    public string? Snat { get; }

    public int Destinations { get; }

    public bool Persistent { get; }

    public uint PersistenceTimeout { get; }

    /// <summary>IPv4: a dotted mask; IPv6: a prefix length.</summary>
    public string Netmask { get; }

    public string? PersistenceEngine { get; }

    public bool OnePacket { get; }

    /// <summary>fallback, port, flag-3 (sh-/mh-fallback, sh-/mh-port, flag-3 in ipvsadm's words); none: empty.</summary>
    public IReadOnlyList<string> SchedulerFlags { get; }

    public ulong Connections { get; }

    public ulong InPackets { get; }

    public ulong OutPackets { get; }

    public ulong InBytes { get; }

    public ulong OutBytes { get; }

    public ulong ConnectionsPerSecond { get; }

    public ulong InBytesPerSecond { get; }

    public ulong OutBytesPerSecond { get; }

    /// <summary>The kernel identity, for cmdlets that take a service from the pipeline.</summary>
    internal IpvsServiceKey Key { get; }

    public override string ToString() => Name ?? Service;
}
