using System.Buffers.Binary;
using System.Net.Sockets;
using Fusis.Netlink.Generic;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Fou;

/// <summary>
/// The receive ports of foo-over-UDP and GUE: the kernel's "fou" generic-netlink family (linux/fou.h), what
/// `ip fou add port N gue` manages. A GUE tunnel backend needs one on the port its destination names. Not thread-safe.
/// </summary>
public sealed class FouClient : IDisposable
{
    private const string FamilyName = "fou";
    private const byte FamilyVersion = 1;
    private const byte CommandAdd = 1;
    private const byte CommandDelete = 2;
    private const byte CommandGet = 3;
    private const ushort AttributePort = 1;
    private const ushort AttributeFamily = 2;
    private const ushort AttributeType = 4;
    private const byte EncapsulationGue = 2;

    private readonly NetlinkChannel _channel;
    private readonly ushort _familyId;

    private FouClient(NetlinkChannel channel, ushort familyId)
    {
        _channel = channel;
        _familyId = familyId;
    }

    /// <summary>Opens a client; resolving the family makes the kernel load the fou module when it can.</summary>
    /// <exception cref="NetlinkException">ENOENT: the kernel has no fou (the module cannot be loaded); EPERM: no rights.</exception>
    public static FouClient Open(string? networkNamespacePath = null)
    {
        var channel = new NetlinkChannel(NetlinkSocket.Open(NetlinkSocket.NetlinkGeneric, networkNamespacePath));
        try
        {
            GenericNetlinkFamily family = GenericNetlinkFamily.Resolve(channel, FamilyName)
                ?? throw new NetlinkException(Errno.ENOENT, "the kernel has no GUE receive ports: module fou is not available", null);
            return new FouClient(channel, family.Id);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    public IReadOnlyList<FouPort> GetPorts() =>
        _channel.Dump(_familyId, w => w.WriteGenericHeader(CommandGet, FamilyVersion), ReadPort, "list fou ports");

    /// <summary>Opens a GUE receive port; false when one is open on it already (then it is not this caller's).</summary>
    public bool AddGuePort(ushort port, AddressFamily family)
    {
        NetlinkAck ack = _channel.Request(_familyId, 0, w =>
        {
            w.WriteGenericHeader(CommandAdd, FamilyVersion);
            w.PutU16BigEndian(AttributePort, port);
            w.PutU8(AttributeFamily, SocketFamily(family));
            w.PutU8(AttributeType, EncapsulationGue);
        });
        if (ack.Errno == Errno.EEXIST)
        {
            return false;
        }

        if (!ack.Succeeded)
        {
            throw NetlinkException.FromAck(ack, $"open GUE port {port}");
        }

        return true;
    }

    public void DeletePort(ushort port, AddressFamily family)
    {
        NetlinkAck ack = _channel.Request(_familyId, 0, w =>
        {
            w.WriteGenericHeader(CommandDelete, FamilyVersion);
            w.PutU16BigEndian(AttributePort, port);
            w.PutU8(AttributeFamily, SocketFamily(family));
        });
        if (!ack.Succeeded)
        {
            throw NetlinkException.FromAck(ack, $"close GUE port {port}");
        }
    }

    public void Dispose() => _channel.Dispose();

    // AF_INET and AF_INET6 as the kernel numbers them (not .NET's AddressFamily values for IPv6).
    private static byte SocketFamily(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 2,
        AddressFamily.InterNetworkV6 => 10,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "a fou port is IPv4 or IPv6"),
    };

    private static FouPort ReadPort(NetlinkMessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4)
        {
            throw new NetlinkProtocolException("fou reply shorter than its generic header");
        }

        (ushort port, AddressFamily family, bool gue) = (0, AddressFamily.InterNetwork, false);
        var attributes = new NetlinkAttributeReader(payload[4..]);
        while (attributes.TryRead(out NetlinkAttribute attribute))
        {
            switch (attribute.Type)
            {
                case AttributePort:
                    port = BinaryPrimitives.ReadUInt16BigEndian(attribute.Payload);
                    break;
                case AttributeFamily:
                    family = attribute.GetU8() == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
                    break;
                case AttributeType:
                    gue = attribute.GetU8() == EncapsulationGue;
                    break;
            }
        }

        return new FouPort(port, family, gue);
    }
}
