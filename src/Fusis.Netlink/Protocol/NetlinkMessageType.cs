namespace Fusis.Netlink.Protocol;

/// <summary>Control message types (linux/netlink.h); family message types start at <see cref="MinimumFamilyType"/>.</summary>
public static class NetlinkMessageType
{
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;
    public const ushort MinimumFamilyType = 16;
}
