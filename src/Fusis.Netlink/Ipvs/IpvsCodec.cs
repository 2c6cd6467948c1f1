using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Fusis.Netlink.Protocol;
using static Fusis.Netlink.Ipvs.IpvsAbi;

namespace Fusis.Netlink.Ipvs;

/// <summary>Maps the typed IPVS model to and from netlink attributes. Pure: no I/O.</summary>
public static class IpvsCodec
{
    private const int GenericHeaderSize = 4;

    /// <summary>Linux AF_INET / AF_INET6 (not .NET's AddressFamily values).</summary>
    public const ushort LinuxAfInet = 2;
    public const ushort LinuxAfInet6 = 10;

    public static ushort ToLinux(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => LinuxAfInet,
        AddressFamily.InterNetworkV6 => LinuxAfInet6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "IPv4 or IPv6"),
    };

    public static AddressFamily FromLinux(ushort family) => family switch
    {
        LinuxAfInet => AddressFamily.InterNetwork,
        LinuxAfInet6 => AddressFamily.InterNetworkV6,
        _ => throw new NetlinkProtocolException($"unknown address family {family}"),
    };

    /// <summary>The attributes that identify a service (inside IPVS_CMD_ATTR_SERVICE).</summary>
    public static void WriteServiceKey(NetlinkMessageWriter writer, IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(key);
        writer.PutU16((ushort)ServiceAttribute.AddressFamily, ToLinux(key.AddressFamily));
        if (key.IsFirewallMark)
        {
            writer.PutU32((ushort)ServiceAttribute.FirewallMark, key.FirewallMark);
        }
        else
        {
            writer.PutU16((ushort)ServiceAttribute.Protocol, (ushort)key.Protocol);
            writer.PutAddress((ushort)ServiceAttribute.Address, key.Address, AddressFieldSize);
            writer.PutU16BigEndian((ushort)ServiceAttribute.Port, key.Port);
        }
    }

    /// <summary>IPVS_CMD_ATTR_SERVICE holding only the key.</summary>
    public static void WriteNestedServiceKey(NetlinkMessageWriter writer, IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int nested = writer.BeginNested((ushort)CommandAttribute.Service);
        WriteServiceKey(writer, key);
        writer.EndNested(nested);
    }

    /// <summary>IPVS_CMD_ATTR_SERVICE with every setting, as NEW_SERVICE and SET_SERVICE need.</summary>
    public static void WriteNestedService(NetlinkMessageWriter writer, IpvsService service)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(service);
        ValidateService(service);
        int nested = writer.BeginNested((ushort)CommandAttribute.Service);
        WriteServiceKey(writer, service.Key);
        writer.PutString((ushort)ServiceAttribute.SchedulerName, service.Scheduler);
        if (service.PersistenceEngine is { Length: > 0 } engine)
        {
            writer.PutString((ushort)ServiceAttribute.PersistenceEngineName, engine);
        }

        // struct ip_vs_flags { flags, mask }: a full mask, so every user flag is set or cleared as given.
        Span<byte> flags = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)service.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(flags[4..], ~ServiceFlagHashed);
        writer.PutAttribute((ushort)ServiceAttribute.Flags, flags);
        writer.PutU32((ushort)ServiceAttribute.Timeout, service.Timeout);
        WriteNetmask(writer, service.Key.AddressFamily, service.EffectiveNetmask);
        writer.EndNested(nested);
    }

    /// <summary>IPVS_CMD_ATTR_DEST with every setting (NEW_DEST, SET_DEST) or only address and port (DEL_DEST).</summary>
    public static void WriteNestedDestination(NetlinkMessageWriter writer, IpvsDestination destination, bool keyOnly)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(destination);
        int nested = writer.BeginNested((ushort)CommandAttribute.Dest);
        IPAddress address = Normalize(destination.Address);
        writer.PutU16((ushort)DestinationAttribute.AddressFamily, ToLinux(address.AddressFamily));
        writer.PutAddress((ushort)DestinationAttribute.Address, address, AddressFieldSize);
        writer.PutU16BigEndian((ushort)DestinationAttribute.Port, destination.Port);
        if (!keyOnly)
        {
            ValidateDestination(destination);
            writer.PutU32((ushort)DestinationAttribute.ForwardMethod, (uint)destination.ForwardingMethod);
            writer.PutU32((ushort)DestinationAttribute.Weight, (uint)destination.Weight);
            writer.PutU32((ushort)DestinationAttribute.UpperThreshold, destination.UpperThreshold);
            writer.PutU32((ushort)DestinationAttribute.LowerThreshold, destination.LowerThreshold);
            writer.PutU8((ushort)DestinationAttribute.TunnelType, (byte)destination.TunnelType);
            writer.PutU16BigEndian((ushort)DestinationAttribute.TunnelPort, destination.TunnelPort);
            writer.PutU16((ushort)DestinationAttribute.TunnelFlags, (ushort)destination.TunnelChecksum);
        }

        writer.EndNested(nested);
    }

    public static void WriteNestedSyncDaemon(NetlinkMessageWriter writer, IpvsSyncDaemon daemon, bool stateOnly)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(daemon);
        int nested = writer.BeginNested((ushort)CommandAttribute.Daemon);
        writer.PutU32((ushort)DaemonAttribute.State, (uint)daemon.State);
        if (!stateOnly)
        {
            if (daemon.Interface.Length is 0 or >= InterfaceNameMaxLength)
            {
                throw new ArgumentException($"interface name '{daemon.Interface}' must have 1 to {InterfaceNameMaxLength - 1} characters");
            }

            if (daemon.SyncId > 255)
            {
                throw new ArgumentOutOfRangeException(nameof(daemon), daemon.SyncId, "a sync id is 0 to 255");
            }

            writer.PutString((ushort)DaemonAttribute.MulticastInterface, daemon.Interface);
            writer.PutU32((ushort)DaemonAttribute.SyncId, daemon.SyncId);
            if (daemon.MaxLength != 0)
            {
                writer.PutU16((ushort)DaemonAttribute.SyncMaxLength, daemon.MaxLength);
            }

            if (daemon.MulticastGroup is { } group)
            {
                group = Normalize(group);
                writer.PutAddress(
                    (ushort)(group.AddressFamily == AddressFamily.InterNetwork ? DaemonAttribute.MulticastGroup : DaemonAttribute.MulticastGroup6),
                    group);
            }

            if (daemon.MulticastPort != 0)
            {
                writer.PutU16((ushort)DaemonAttribute.MulticastPort, daemon.MulticastPort);
            }

            if (daemon.MulticastTtl != 0)
            {
                writer.PutU8((ushort)DaemonAttribute.MulticastTtl, daemon.MulticastTtl);
            }
        }

        writer.EndNested(nested);
    }

    /// <summary>Reads a NEW_SERVICE reply message (genlmsghdr + IPVS_CMD_ATTR_SERVICE).</summary>
    public static IpvsService? ReadServiceMessage(NetlinkMessageHeader header, ReadOnlySpan<byte> payload) =>
        FindNested(payload, (ushort)CommandAttribute.Service, out ReadOnlySpan<byte> nested) ? ReadService(nested) : null;

    /// <summary>Reads a NEW_DEST reply message (genlmsghdr + IPVS_CMD_ATTR_DEST).</summary>
    public static IpvsDestination? ReadDestinationMessage(NetlinkMessageHeader header, ReadOnlySpan<byte> payload) =>
        FindNested(payload, (ushort)CommandAttribute.Dest, out ReadOnlySpan<byte> nested) ? ReadDestination(nested) : null;

    /// <summary>Reads a GET_DAEMON reply message (genlmsghdr + IPVS_CMD_ATTR_DAEMON).</summary>
    public static IpvsSyncDaemon? ReadSyncDaemonMessage(NetlinkMessageHeader header, ReadOnlySpan<byte> payload) =>
        FindNested(payload, (ushort)CommandAttribute.Daemon, out ReadOnlySpan<byte> nested) ? ReadSyncDaemon(nested) : null;

    public static IpvsService ReadService(ReadOnlySpan<byte> attributes)
    {
        ushort? family = null;
        IpvsProtocol protocol = IpvsProtocol.None;
        ReadOnlySpan<byte> address = default;
        ushort port = 0;
        uint mark = 0, flags = 0, timeout = 0, netmask = 0;
        ReadOnlySpan<byte> netmaskBytes = default;
        string? scheduler = null, engine = null;
        IpvsStatistics? stats = null, stats64 = null;
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            switch ((ServiceAttribute)attribute.Type)
            {
                case ServiceAttribute.AddressFamily:
                    family = attribute.GetU16();
                    break;
                case ServiceAttribute.Protocol:
                    protocol = (IpvsProtocol)attribute.GetU16();
                    break;
                case ServiceAttribute.Address:
                    address = attribute.Payload;
                    break;
                case ServiceAttribute.Port:
                    port = attribute.GetU16BigEndian();
                    break;
                case ServiceAttribute.FirewallMark:
                    mark = attribute.GetU32();
                    break;
                case ServiceAttribute.SchedulerName:
                    scheduler = attribute.GetString();
                    break;
                case ServiceAttribute.Flags:
                    if (attribute.Payload.Length != 8)
                    {
                        throw new NetlinkProtocolException($"service flags are {attribute.Payload.Length} bytes, expected 8");
                    }

                    flags = BinaryPrimitives.ReadUInt32LittleEndian(attribute.Payload);
                    break;
                case ServiceAttribute.Timeout:
                    timeout = attribute.GetU32();
                    break;
                case ServiceAttribute.Netmask:
                    netmaskBytes = attribute.Payload;
                    netmask = attribute.GetU32();
                    break;
                case ServiceAttribute.PersistenceEngineName:
                    engine = attribute.GetString();
                    break;
                case ServiceAttribute.Stats:
                    stats = ReadStatistics(attribute.Payload);
                    break;
                case ServiceAttribute.Stats64:
                    stats64 = ReadStatistics(attribute.Payload);
                    break;
            }
        }

        AddressFamily addressFamily = FromLinux(family ?? throw new NetlinkProtocolException("service without an address family"));
        if (mark == 0 && address.IsEmpty)
        {
            throw new NetlinkProtocolException("service without an address or a firewall mark");
        }

        if (mark == 0 && protocol is not (IpvsProtocol.Tcp or IpvsProtocol.Udp or IpvsProtocol.Sctp))
        {
            throw new NetlinkProtocolException($"service with unknown protocol {(ushort)protocol}");
        }

        IpvsServiceKey key = mark != 0
            ? IpvsServiceKey.ForFirewallMark(mark, addressFamily)
            : IpvsServiceKey.ForEndPoint(protocol, new NetlinkAttribute((ushort)ServiceAttribute.Address, address).GetAddress(addressFamily), port);

        if (addressFamily == AddressFamily.InterNetwork && !netmaskBytes.IsEmpty)
        {
            netmask = BinaryPrimitives.ReadUInt32BigEndian(netmaskBytes); // the IPv4 mask travels in network order
        }

        return new IpvsService
        {
            Key = key,
            Scheduler = scheduler ?? throw new NetlinkProtocolException($"service {key} without a scheduler"),
            Flags = (IpvsServiceFlags)(flags & ~ServiceFlagHashed),
            Timeout = timeout,
            Netmask = netmask,
            PersistenceEngine = string.IsNullOrEmpty(engine) ? null : engine,
            Statistics = stats64 ?? stats,
        };
    }

    public static IpvsDestination ReadDestination(ReadOnlySpan<byte> attributes)
    {
        ReadOnlySpan<byte> address = default;
        ushort? family = null;
        ushort port = 0, tunnelPort = 0, tunnelFlags = 0;
        uint forward = 0, weight = 0, upper = 0, lower = 0, active = 0, inactive = 0, persistent = 0;
        byte tunnelType = 0;
        IpvsStatistics? stats = null, stats64 = null;
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            switch ((DestinationAttribute)attribute.Type)
            {
                case DestinationAttribute.Address:
                    address = attribute.Payload;
                    break;
                case DestinationAttribute.AddressFamily:
                    family = attribute.GetU16();
                    break;
                case DestinationAttribute.Port:
                    port = attribute.GetU16BigEndian();
                    break;
                case DestinationAttribute.ForwardMethod:
                    forward = attribute.GetU32() & ForwardMask;
                    break;
                case DestinationAttribute.Weight:
                    weight = attribute.GetU32();
                    break;
                case DestinationAttribute.UpperThreshold:
                    upper = attribute.GetU32();
                    break;
                case DestinationAttribute.LowerThreshold:
                    lower = attribute.GetU32();
                    break;
                case DestinationAttribute.ActiveConnections:
                    active = attribute.GetU32();
                    break;
                case DestinationAttribute.InactiveConnections:
                    inactive = attribute.GetU32();
                    break;
                case DestinationAttribute.PersistentConnections:
                    persistent = attribute.GetU32();
                    break;
                case DestinationAttribute.Stats:
                    stats = ReadStatistics(attribute.Payload);
                    break;
                case DestinationAttribute.Stats64:
                    stats64 = ReadStatistics(attribute.Payload);
                    break;
                case DestinationAttribute.TunnelType:
                    tunnelType = attribute.GetU8();
                    break;
                case DestinationAttribute.TunnelPort:
                    tunnelPort = attribute.GetU16BigEndian();
                    break;
                case DestinationAttribute.TunnelFlags:
                    tunnelFlags = attribute.GetU16();
                    break;
            }
        }

        if (address.IsEmpty || family is null)
        {
            throw new NetlinkProtocolException("destination without an address or address family");
        }

        if (weight > int.MaxValue)
        {
            throw new NetlinkProtocolException($"destination weight {weight} is out of range");
        }

        return new IpvsDestination
        {
            Address = new NetlinkAttribute((ushort)DestinationAttribute.Address, address).GetAddress(FromLinux(family.Value)),
            Port = port,
            ForwardingMethod = (IpvsForwardingMethod)forward,
            Weight = (int)weight,
            UpperThreshold = upper,
            LowerThreshold = lower,
            TunnelType = (IpvsTunnelType)tunnelType,
            TunnelPort = tunnelPort,
            TunnelChecksum = (IpvsTunnelChecksum)tunnelFlags,
            ActiveConnections = active,
            InactiveConnections = inactive,
            PersistentConnections = persistent,
            Statistics = stats64 ?? stats,
        };
    }

    public static IpvsStatistics ReadStatistics(ReadOnlySpan<byte> attributes)
    {
        Span<ulong> values = stackalloc ulong[11];
        values.Clear();
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            if (attribute.Type is >= (ushort)StatsAttribute.Connections and <= (ushort)StatsAttribute.OutgoingByteRate)
            {
                // The 32-bit STATS nest and the 64-bit STATS64 nest share these ids; the size tells them apart.
                values[attribute.Type] = attribute.Payload.Length == 8 ? attribute.GetU64() : attribute.GetU32();
            }
        }

        return new IpvsStatistics(values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9], values[10]);
    }

    public static IpvsInfo ReadInfo(ReadOnlySpan<byte> payload)
    {
        uint? version = null, size = null;
        var reader = new NetlinkAttributeReader(SkipGenericHeader(payload));
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            switch ((InfoAttribute)attribute.Type)
            {
                case InfoAttribute.Version:
                    version = attribute.GetU32();
                    break;
                case InfoAttribute.ConnectionTableSize:
                    size = attribute.GetU32();
                    break;
            }
        }

        if (version is not { } v || size is not { } s)
        {
            throw new NetlinkProtocolException("IPVS info reply without version or table size");
        }

        return new IpvsInfo(new Version((int)((v >> 16) & 0xff), (int)((v >> 8) & 0xff), (int)(v & 0xff)), s);
    }

    public static IpvsTimeouts ReadTimeouts(ReadOnlySpan<byte> payload)
    {
        uint tcp = 0, tcpFin = 0, udp = 0;
        var reader = new NetlinkAttributeReader(SkipGenericHeader(payload));
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            switch ((CommandAttribute)attribute.Type)
            {
                case CommandAttribute.TimeoutTcp:
                    tcp = attribute.GetU32();
                    break;
                case CommandAttribute.TimeoutTcpFin:
                    tcpFin = attribute.GetU32();
                    break;
                case CommandAttribute.TimeoutUdp:
                    udp = attribute.GetU32();
                    break;
            }
        }

        return new IpvsTimeouts(tcp, tcpFin, udp);
    }

    public static IpvsSyncDaemon ReadSyncDaemon(ReadOnlySpan<byte> attributes)
    {
        uint? state = null;
        string? name = null;
        uint syncId = 0;
        ushort maxLength = 0, port = 0;
        byte ttl = 0;
        IPAddress? group = null;
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            switch ((DaemonAttribute)attribute.Type)
            {
                case DaemonAttribute.State:
                    state = attribute.GetU32();
                    break;
                case DaemonAttribute.MulticastInterface:
                    name = attribute.GetString();
                    break;
                case DaemonAttribute.SyncId:
                    syncId = attribute.GetU32();
                    break;
                case DaemonAttribute.SyncMaxLength:
                    maxLength = attribute.GetU16();
                    break;
                case DaemonAttribute.MulticastGroup:
                    group = attribute.GetAddress(AddressFamily.InterNetwork);
                    break;
                case DaemonAttribute.MulticastGroup6:
                    group = attribute.GetAddress(AddressFamily.InterNetworkV6);
                    break;
                case DaemonAttribute.MulticastPort:
                    port = attribute.GetU16();
                    break;
                case DaemonAttribute.MulticastTtl:
                    ttl = attribute.GetU8();
                    break;
            }
        }

        return new IpvsSyncDaemon
        {
            State = (IpvsSyncDaemonState)(state ?? throw new NetlinkProtocolException("sync daemon without a state")),
            Interface = name ?? throw new NetlinkProtocolException("sync daemon without an interface"),
            SyncId = syncId,
            MaxLength = maxLength,
            MulticastGroup = group,
            MulticastPort = port,
            MulticastTtl = ttl,
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> for settings the kernel would refuse or misread.</summary>
    public static void ValidateService(IpvsService service)
    {
        if (ServiceProblems(service).FirstOrDefault() is { Problem: { } problem })
        {
            throw new ArgumentException(problem, nameof(service));
        }
    }

    /// <summary>Each setting of <paramref name="service"/> the kernel would refuse: the property's name and the problem.</summary>
    public static IEnumerable<(string Property, string Problem)> ServiceProblems(IpvsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Scheduler.Length is 0 or >= SchedulerNameMaxLength || !IsModuleName(service.Scheduler))
        {
            yield return (nameof(IpvsService.Scheduler), $"scheduler name '{service.Scheduler}' is not valid (1 to {SchedulerNameMaxLength - 1} letters, digits or '_')");
        }

        if (service.PersistenceEngine is { Length: > 0 } engine && (engine.Length >= PersistenceEngineNameMaxLength || !IsModuleName(engine)))
        {
            yield return (nameof(IpvsService.PersistenceEngine), $"persistence engine name '{engine}' is not valid");
        }

        if (service.Key.AddressFamily == AddressFamily.InterNetworkV6 && service.EffectiveNetmask is < 1 or > 128)
        {
            yield return (nameof(IpvsService.Netmask), $"an IPv6 persistence netmask is a prefix length from 1 to 128, not {service.EffectiveNetmask}");
        }

        // Ones then zeros: the complement plus one is a power of two (or zero for 255.255.255.255).
        if (service.Key.AddressFamily == AddressFamily.InterNetwork && (~service.EffectiveNetmask & (~service.EffectiveNetmask + 1)) != 0)
        {
            yield return (nameof(IpvsService.Netmask), "an IPv4 persistence netmask is contiguous ones then zeros (such as 255.255.255.0)");
        }

        if (service.Timeout > IpvsService.MaxTimeout)
        {
            yield return (nameof(IpvsService.Timeout), $"a persistence timeout is at most {IpvsService.MaxTimeout} s (the kernel keeps it times HZ in 32 bits), not {service.Timeout}");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for settings the kernel would refuse.</summary>
    public static void ValidateDestination(IpvsDestination destination)
    {
        if (destination.Weight is < 0 or > IpvsDestination.MaxWeight)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), destination.Weight, $"a weight is 0 to {IpvsDestination.MaxWeight}");
        }

        if (!Enum.IsDefined(destination.ForwardingMethod))
        {
            throw new ArgumentOutOfRangeException(nameof(destination), destination.ForwardingMethod, "unknown forwarding method");
        }

        if (!Enum.IsDefined(destination.TunnelType) || !Enum.IsDefined(destination.TunnelChecksum))
        {
            throw new ArgumentOutOfRangeException(nameof(destination), "unknown tunnel type or checksum mode");
        }
    }

    private static bool IsModuleName(string name)
    {
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteNetmask(NetlinkMessageWriter writer, AddressFamily family, uint netmask)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> mask = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(mask, netmask);
            writer.PutAttribute((ushort)ServiceAttribute.Netmask, mask);
        }
        else
        {
            writer.PutU32((ushort)ServiceAttribute.Netmask, netmask);
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static ReadOnlySpan<byte> SkipGenericHeader(ReadOnlySpan<byte> payload) =>
        payload.Length >= GenericHeaderSize
            ? payload[GenericHeaderSize..]
            : throw new NetlinkProtocolException("generic netlink message shorter than its header");

    private static bool FindNested(ReadOnlySpan<byte> payload, ushort type, out ReadOnlySpan<byte> nested)
    {
        var reader = new NetlinkAttributeReader(SkipGenericHeader(payload));
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            if (attribute.Type == type)
            {
                nested = attribute.Payload;
                return true;
            }
        }

        nested = default;
        return false;
    }
}
