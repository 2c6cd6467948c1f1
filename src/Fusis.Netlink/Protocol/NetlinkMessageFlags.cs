namespace Fusis.Netlink.Protocol;

/// <summary>nlmsg_flags (linux/netlink.h). Some bits mean different things on GET, NEW and ACK messages.</summary>
public static class NetlinkMessageFlags
{
    public const ushort Request = 0x01;
    public const ushort Multi = 0x02;
    public const ushort Ack = 0x04;
    public const ushort Echo = 0x08;
    public const ushort DumpInterrupted = 0x10;
    public const ushort DumpFiltered = 0x20;

    // GET requests
    public const ushort Root = 0x100;
    public const ushort Match = 0x200;
    public const ushort Atomic = 0x400;
    public const ushort Dump = Root | Match;

    // NEW requests
    public const ushort Replace = 0x100;
    public const ushort Exclusive = 0x200;
    public const ushort Create = 0x400;
    public const ushort Append = 0x800;

    // ACK (NLMSG_ERROR) messages
    public const ushort Capped = 0x100;
    public const ushort AckTlvs = 0x200;
}
