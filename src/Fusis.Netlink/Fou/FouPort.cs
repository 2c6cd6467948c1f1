using System.Net.Sockets;

namespace Fusis.Netlink.Fou;

/// <summary>A UDP port on which the kernel decapsulates FOU or GUE (what `ip fou show` lists).</summary>
public sealed record FouPort(ushort Port, AddressFamily Family, bool Gue);
