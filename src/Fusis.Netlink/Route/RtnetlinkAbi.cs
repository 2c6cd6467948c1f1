namespace Fusis.Netlink.Route;

/// <summary>The parts of rtnetlink (linux/rtnetlink.h, if_link.h, if_addr.h) that Fusis uses.</summary>
public static class RtnetlinkAbi
{
    public const ushort RtmNewLink = 16;
    public const ushort RtmDelLink = 17;
    public const ushort RtmGetLink = 18;
    public const ushort RtmNewAddress = 20;
    public const ushort RtmDelAddress = 21;
    public const ushort RtmGetAddress = 22;

    /// <summary>struct ifinfomsg: family, pad, type, index, flags, change.</summary>
    public const int InterfaceInfoSize = 16;

    /// <summary>struct ifaddrmsg: family, prefixlen, flags, scope, index.</summary>
    public const int InterfaceAddressSize = 8;

    public const ushort IflaInterfaceName = 3;
    public const ushort IflaLinkInfo = 18;
    public const ushort IflaInfoKind = 1;

    public const ushort IfaAddress = 1;
    public const ushort IfaLocal = 2;
    public const ushort IfaFlags = 8;

    public const uint InterfaceFlagUp = 0x1;

    /// <summary>IFA_F_NODAD: a VIP is usable at once, without duplicate address detection.</summary>
    public const uint AddressFlagNoDad = 0x02;

    /// <summary>IFNAMSIZ - 1.</summary>
    public const int InterfaceNameMaxLength = 15;
}
