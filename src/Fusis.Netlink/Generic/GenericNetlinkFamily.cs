using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Generic;

/// <summary>A generic-netlink family as the controller reports it (CTRL_CMD_GETFAMILY).</summary>
public sealed record GenericNetlinkFamily(string Name, ushort Id, uint Version)
{
    // linux/genetlink.h
    internal const ushort ControllerId = 0x10;
    internal const byte CtrlCmdGetFamily = 3;
    internal const ushort CtrlAttrFamilyId = 1;
    internal const ushort CtrlAttrFamilyName = 2;
    internal const ushort CtrlAttrVersion = 3;

    /// <summary>GENL_NAMSIZ - 1.</summary>
    public const int MaxNameLength = 15;

    /// <summary>
    /// Looks a family up by name. Returns null when the kernel has no such family; asking for one also makes
    /// the kernel load the module that provides it, when there is one (e.g. "IPVS" loads ip_vs).
    /// </summary>
    public static GenericNetlinkFamily? Resolve(NetlinkChannel channel, string name)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"generic netlink family names have at most {MaxNameLength} characters: '{name}'", nameof(name));
        }

        ushort? id = null;
        uint version = 0;
        NetlinkAck ack = channel.Request(
            ControllerId,
            0,
            writer =>
            {
                writer.WriteGenericHeader(CtrlCmdGetFamily, 1);
                writer.PutString(CtrlAttrFamilyName, name);
            },
            (header, payload) =>
            {
                if (payload.Length < 4)
                {
                    throw new NetlinkProtocolException("generic netlink reply shorter than its header");
                }

                var attributes = new NetlinkAttributeReader(payload[4..]);
                while (attributes.TryRead(out NetlinkAttribute attribute))
                {
                    switch (attribute.Type)
                    {
                        case CtrlAttrFamilyId:
                            id = attribute.GetU16();
                            break;
                        case CtrlAttrVersion:
                            version = attribute.GetU32();
                            break;
                    }
                }

                return true;
            });

        if (ack.Errno == Errno.ENOENT)
        {
            return null;
        }

        if (!ack.Succeeded)
        {
            throw NetlinkException.FromAck(ack, $"looking up generic netlink family '{name}'");
        }

        return id is { } familyId
            ? new GenericNetlinkFamily(name, familyId, version)
            : throw new NetlinkProtocolException($"the controller's reply for '{name}' has no family id");
    }
}
