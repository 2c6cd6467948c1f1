using System.Net;

namespace Fusis.Netlink.Ipvs;

/// <summary>A connection-synchronisation daemon (ipvsadm --start-daemon).</summary>
public sealed record IpvsSyncDaemon
{
    public required IpvsSyncDaemonState State { get; init; }

    /// <summary>The interface its multicast traffic uses.</summary>
    public required string Interface { get; init; }

    /// <summary>0–255; 0 accepts every sync id (backup) or sends 0 (master).</summary>
    public uint SyncId { get; init; }

    /// <summary>Maximum sync message payload in bytes; 0 means the kernel default.</summary>
    public ushort MaxLength { get; init; }

    /// <summary>Multicast group; null means the kernel default (224.0.0.81).</summary>
    public IPAddress? MulticastGroup { get; init; }

    /// <summary>0 means the kernel default (8848).</summary>
    public ushort MulticastPort { get; init; }

    /// <summary>0 means the kernel default (1).</summary>
    public byte MulticastTtl { get; init; }
}
