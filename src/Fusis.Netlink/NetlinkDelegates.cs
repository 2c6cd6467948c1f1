using Fusis.Netlink.Protocol;

namespace Fusis.Netlink;

/// <summary>Writes a request's body (family header and attributes) after the netlink header.</summary>
public delegate void NetlinkBodyWriter(NetlinkMessageWriter writer);

/// <summary>Parses one reply message; may return null to skip it.</summary>
public delegate T? NetlinkReplyParser<T>(NetlinkMessageHeader header, ReadOnlySpan<byte> payload);
