using System.Net;

namespace Fusis.Netlink.Ipvs;

/// <summary>A real server of a virtual service, as the kernel holds it.</summary>
public sealed record IpvsDestination
{
    public const int MaxWeight = 65535;

    /// <summary>IPv4 or IPv6; it may differ from the service's family only with <see cref="IpvsForwardingMethod.Tunnel"/>.</summary>
    public required IPAddress Address { get; init; }

    public ushort Port { get; init; }

    public IpvsForwardingMethod ForwardingMethod { get; init; } = IpvsForwardingMethod.Masquerade;

    /// <summary>0 to 65535; 0 takes the destination out of scheduling while its connections live on.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Upper connection threshold; 0 means none.</summary>
    public uint UpperThreshold { get; init; }

    /// <summary>Lower connection threshold; 0 means none.</summary>
    public uint LowerThreshold { get; init; }

    public IpvsTunnelType TunnelType { get; init; }

    /// <summary>Destination UDP port for GUE tunnels.</summary>
    public ushort TunnelPort { get; init; }

    public IpvsTunnelChecksum TunnelChecksum { get; init; }

    /// <summary>Read from the kernel; ignored when writing.</summary>
    public uint ActiveConnections { get; init; }

    /// <summary>Read from the kernel; ignored when writing.</summary>
    public uint InactiveConnections { get; init; }

    /// <summary>Read from the kernel; ignored when writing.</summary>
    public uint PersistentConnections { get; init; }

    /// <summary>Read from the kernel; ignored when writing.</summary>
    public IpvsStatistics? Statistics { get; init; }

    /// <summary>The settings only: what a write sets, without the kernel's counters.</summary>
    public IpvsDestination WithoutCounters() =>
        this with { ActiveConnections = 0, InactiveConnections = 0, PersistentConnections = 0, Statistics = null };

    public override string ToString() => new IPEndPoint(Address, Port).ToString();
}
