using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Fusis.Netlink.Ipvs;
using Fusis.Netlink.Protocol;
using static Fusis.Netlink.Route.RtnetlinkAbi;

namespace Fusis.Netlink.Route;

/// <summary>
/// What the balancer needs of rtnetlink: a dummy interface for VIPs, bringing links up, and IPv4/IPv6
/// addresses. Not thread-safe.
/// </summary>
public sealed class RtnetlinkClient : IDisposable
{
    private readonly NetlinkChannel _channel;

    private RtnetlinkClient(NetlinkChannel channel)
    {
        _channel = channel;
    }

    public static RtnetlinkClient Open(string? networkNamespacePath = null) =>
        new(new NetlinkChannel(NetlinkSocket.Open(NetlinkSocket.NetlinkRoute, networkNamespacePath)));

    /// <summary>The link with this name, or null.</summary>
    public NetworkLink? GetLink(string name)
    {
        ValidateName(name);
        NetworkLink? link = null;
        NetlinkAck ack = _channel.Request(RtmGetLink, 0, w =>
        {
            w.WriteFixed(InterfaceInfo(0, 0, 0));
            w.PutString(IflaInterfaceName, name);
        }, (header, payload) =>
        {
            link = ReadLink(header, payload);
            return true;
        });
        if (ack.Errno is Errno.ENODEV or Errno.ENOENT)
        {
            return null;
        }

        ThrowIfFailed(ack, $"get link {name}");
        return link;
    }

    public IReadOnlyList<NetworkLink> GetLinks() =>
        _channel.Dump(RtmGetLink, w => w.WriteFixed(InterfaceInfo(0, 0, 0)), ReadLink, "list links");

    /// <summary>Creates a dummy interface (down, no addresses).</summary>
    /// <exception cref="NetlinkException">EEXIST when a link of that name exists.</exception>
    public NetworkLink CreateDummyLink(string name)
    {
        ValidateName(name);
        NetlinkAck ack = _channel.Request(RtmNewLink, NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive, w =>
        {
            w.WriteFixed(InterfaceInfo(0, 0, 0));
            w.PutString(IflaInterfaceName, name);
            int info = w.BeginNested(IflaLinkInfo);
            w.PutString(IflaInfoKind, "dummy");
            w.EndNested(info);
        });
        ThrowIfFailed(ack, $"create dummy link {name}", ack.Errno == Errno.EEXIST ? $"link {name} already exists" : null);
        return GetLink(name) ?? throw new NetlinkException(Errno.ENODEV, $"link {name} vanished right after it was created", null);
    }

    public void DeleteLink(string name)
    {
        int index = RequireLink(name).Index;
        ThrowIfFailed(_channel.Request(RtmDelLink, 0, w => w.WriteFixed(InterfaceInfo(index, 0, 0))), $"delete link {name}");
    }

    public void SetLinkUp(string name, bool up = true)
    {
        int index = RequireLink(name).Index;
        NetlinkAck ack = _channel.Request(RtmNewLink, 0, w => w.WriteFixed(InterfaceInfo(index, up ? InterfaceFlagUp : 0, InterfaceFlagUp)));
        ThrowIfFailed(ack, $"set link {name} {(up ? "up" : "down")}");
    }

    /// <summary>Adds an address; an IPv6 one skips duplicate address detection (usable at once, as a VIP must be).</summary>
    /// <exception cref="NetlinkException">EEXIST when the link already has it; ENODEV when the link does not exist.</exception>
    public void AddAddress(string linkName, IPAddress address, int prefixLength)
    {
        int index = RequireLink(linkName).Index;
        ValidatePrefix(address, prefixLength);
        NetlinkAck ack = _channel.Request(RtmNewAddress, NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive,
            w => WriteAddress(w, index, address, prefixLength));
        ThrowIfFailed(ack, $"add address {address}/{prefixLength} to {linkName}",
            ack.Errno == Errno.EEXIST ? $"{linkName} already has {address}/{prefixLength}" : null);
    }

    /// <exception cref="NetlinkException">EADDRNOTAVAIL when the link does not have it.</exception>
    public void DeleteAddress(string linkName, IPAddress address, int prefixLength)
    {
        int index = RequireLink(linkName).Index;
        ValidatePrefix(address, prefixLength);
        NetlinkAck ack = _channel.Request(RtmDelAddress, 0, w => WriteAddress(w, index, address, prefixLength));
        ThrowIfFailed(ack, $"delete address {address}/{prefixLength} from {linkName}",
            ack.Errno == Errno.EADDRNOTAVAIL ? $"{linkName} does not have {address}/{prefixLength}" : null);
    }

    /// <summary>Every address, or those of one link.</summary>
    public IReadOnlyList<InterfaceAddress> GetAddresses(string? linkName = null)
    {
        int? index = linkName is null ? null : RequireLink(linkName).Index;
        List<InterfaceAddress> all = _channel.Dump(RtmGetAddress, w => w.WriteFixed(new byte[InterfaceAddressSize]), ReadAddress, "list addresses");
        return index is null ? all : all.FindAll(a => a.LinkIndex == index);
    }

    public void Dispose() => _channel.Dispose();

    private NetworkLink RequireLink(string name) =>
        GetLink(name) ?? throw new NetlinkException(Errno.ENODEV, $"link {name} does not exist", null);

    private static void WriteAddress(NetlinkMessageWriter writer, int index, IPAddress address, int prefixLength)
    {
        Span<byte> header = stackalloc byte[InterfaceAddressSize];
        header.Clear();
        header[0] = (byte)IpvsCodec.ToLinux(address.AddressFamily);
        header[1] = (byte)prefixLength;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], index);
        writer.WriteFixed(header);
        writer.PutAddress(IfaLocal, address);
        writer.PutAddress(IfaAddress, address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            writer.PutU32(IfaFlags, AddressFlagNoDad);
        }
    }

    private static NetworkLink? ReadLink(NetlinkMessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type != RtmNewLink)
        {
            return null;
        }

        if (payload.Length < InterfaceInfoSize)
        {
            throw new NetlinkProtocolException($"link message shorter than struct ifinfomsg ({payload.Length} bytes)");
        }

        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string? name = null, kind = null;
        var reader = new NetlinkAttributeReader(payload[InterfaceInfoSize..]);
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            if (attribute.Type == IflaInterfaceName)
            {
                name = attribute.GetString();
            }
            else if (attribute.Type == IflaLinkInfo)
            {
                NetlinkAttributeReader info = attribute.GetNested();
                while (info.TryRead(out NetlinkAttribute item))
                {
                    if (item.Type == IflaInfoKind)
                    {
                        kind = item.GetString();
                    }
                }
            }
        }

        return new NetworkLink(index, name ?? throw new NetlinkProtocolException($"link {index} without a name"), (flags & InterfaceFlagUp) != 0, kind);
    }

    private static InterfaceAddress? ReadAddress(NetlinkMessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type != RtmNewAddress)
        {
            return null;
        }

        if (payload.Length < InterfaceAddressSize)
        {
            throw new NetlinkProtocolException($"address message shorter than struct ifaddrmsg ({payload.Length} bytes)");
        }

        AddressFamily family;
        try
        {
            family = IpvsCodec.FromLinux(payload[0]);
        }
        catch (NetlinkProtocolException)
        {
            return null; // other families (e.g. AF_PACKET-less MPLS) are not ours to show
        }

        int prefix = payload[1];
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        IPAddress? local = null, address = null;
        var reader = new NetlinkAttributeReader(payload[InterfaceAddressSize..]);
        while (reader.TryRead(out NetlinkAttribute attribute))
        {
            switch (attribute.Type)
            {
                case IfaLocal:
                    local = attribute.GetAddress(family);
                    break;
                case IfaAddress:
                    address = attribute.GetAddress(family);
                    break;
            }
        }

        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        IPAddress own = local ?? address ?? throw new NetlinkProtocolException($"address message for link {index} without an address");
        return new InterfaceAddress(index, own, prefix);
    }

    private static byte[] InterfaceInfo(int index, uint flags, uint change)
    {
        var info = new byte[InterfaceInfoSize];
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(12), change);
        return info;
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > InterfaceNameMaxLength || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{name}' is not a valid interface name (1 to {InterfaceNameMaxLength} characters, no '/' or spaces)", nameof(name));
        }
    }

    private static void ValidatePrefix(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        int max = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => 32,
            AddressFamily.InterNetworkV6 => 128,
            _ => throw new ArgumentException($"{address} is not an IPv4 or IPv6 address", nameof(address)),
        };
        if (prefixLength < 0 || prefixLength > max)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"a prefix length for {address} is 0 to {max}");
        }
    }

    private static void ThrowIfFailed(NetlinkAck ack, string what, string? specific = null)
    {
        if (!ack.Succeeded)
        {
            throw NetlinkException.FromAck(ack, what, specific);
        }
    }
}
