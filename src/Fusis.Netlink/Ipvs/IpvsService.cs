using System.Net.Sockets;

namespace Fusis.Netlink.Ipvs;

/// <summary>A virtual service as the kernel holds it.</summary>
public sealed record IpvsService
{
    /// <summary>The kernel's default scheduler, as ipvsadm's.</summary>
    public const string DefaultScheduler = "wlc";

    public required IpvsServiceKey Key { get; init; }

    /// <summary>Scheduler module name without the ip_vs_ prefix: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh.</summary>
    public string Scheduler { get; init; } = DefaultScheduler;

    public IpvsServiceFlags Flags { get; init; }

    /// <summary>
    /// The largest persistence timeout every kernel holds exactly: it keeps timeout x HZ in 32 bits, and HZ is at most
    /// 1000 (Debian's is 250), so above this a value wraps (17,179,870 s became 0 at HZ 250).
    /// </summary>
    public const uint MaxTimeout = uint.MaxValue / 1000;

    /// <summary>Persistence timeout in seconds (meaningful with <see cref="IpvsServiceFlags.Persistent"/>).</summary>
    public uint Timeout { get; init; }

    /// <summary>
    /// Persistence granularity. IPv4: the mask as a number (0xFFFFFF00 is 255.255.255.0); IPv6: a prefix length.
    /// Null means the family's default (255.255.255.255, or 128).
    /// </summary>
    public uint? Netmask { get; init; }

    /// <summary>Persistence engine (only "sip" exists in the kernel), or null.</summary>
    public string? PersistenceEngine { get; init; }

    /// <summary>Counters and rates; read from the kernel, ignored when writing.</summary>
    public IpvsStatistics? Statistics { get; init; }

    /// <summary>The netmask the kernel uses when <see cref="Netmask"/> is null.</summary>
    public uint EffectiveNetmask => Netmask ?? DefaultNetmask(Key.AddressFamily);

    public static uint DefaultNetmask(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? 128u : uint.MaxValue;
}
