namespace Fusis.Netlink.Ipvs;

/// <summary>
/// The IPVS generic-netlink ABI, named after include/uapi/linux/ip_vs.h (checked against the header by a test).
/// Quirks worth knowing, as the kernel (6.1) implements them in net/netfilter/ipvs/ip_vs_ctl.c:
/// - ports (service, destination, tunnel) are big-endian u16; every other integer is host order;
/// - addresses are a 16-byte union nf_inet_addr field, IPv4 in its first 4 bytes;
/// - service FLAGS is struct ip_vs_flags { flags, mask }: the kernel applies only the bits in mask;
/// - the IPv4 persistence netmask is the mask in network order, the IPv6 one a prefix length;
/// - a firewall-mark service carries no protocol, address or port (the kernel reports protocol TCP internally);
/// - stats come twice: STATS (32-bit counters) and STATS64 (64-bit, with PAD attributes for alignment).
/// </summary>
public static class IpvsAbi
{
    public const string FamilyName = "IPVS";
    public const byte FamilyVersion = 1;
    public const int SchedulerNameMaxLength = 16;
    public const int PersistenceEngineNameMaxLength = 16;
    public const int InterfaceNameMaxLength = 16;
    public const int AddressFieldSize = 16;

    /// <summary>IP_VS_SVC_F_HASHED: set by the kernel on every service, never by users.</summary>
    public const uint ServiceFlagHashed = 0x0002;

    /// <summary>IP_VS_CONN_F_FWD_MASK.</summary>
    public const uint ForwardMask = 0x0007;

    public enum Command : byte
    {
        Unspec = 0,
        NewService,
        SetService,
        DelService,
        GetService,
        NewDest,
        SetDest,
        DelDest,
        GetDest,
        NewDaemon,
        DelDaemon,
        GetDaemon,
        SetConfig,
        GetConfig,
        SetInfo,
        GetInfo,
        Zero,
        Flush,
    }

    public enum CommandAttribute : ushort
    {
        Unspec = 0,
        Service,
        Dest,
        Daemon,
        TimeoutTcp,
        TimeoutTcpFin,
        TimeoutUdp,
    }

    public enum ServiceAttribute : ushort
    {
        Unspec = 0,
        AddressFamily,
        Protocol,
        Address,
        Port,
        FirewallMark,
        SchedulerName,
        Flags,
        Timeout,
        Netmask,
        Stats,
        PersistenceEngineName,
        Stats64,
    }

    public enum DestinationAttribute : ushort
    {
        Unspec = 0,
        Address,
        Port,
        ForwardMethod,
        Weight,
        UpperThreshold,
        LowerThreshold,
        ActiveConnections,
        InactiveConnections,
        PersistentConnections,
        Stats,
        AddressFamily,
        Stats64,
        TunnelType,
        TunnelPort,
        TunnelFlags,
    }

    public enum DaemonAttribute : ushort
    {
        Unspec = 0,
        State,
        MulticastInterface,
        SyncId,
        SyncMaxLength,
        MulticastGroup,
        MulticastGroup6,
        MulticastPort,
        MulticastTtl,
    }

    public enum StatsAttribute : ushort
    {
        Unspec = 0,
        Connections,
        IncomingPackets,
        OutgoingPackets,
        IncomingBytes,
        OutgoingBytes,
        ConnectionRate,
        IncomingPacketRate,
        OutgoingPacketRate,
        IncomingByteRate,
        OutgoingByteRate,
        Pad,
    }

    public enum InfoAttribute : ushort
    {
        Unspec = 0,
        Version,
        ConnectionTableSize,
    }
}
