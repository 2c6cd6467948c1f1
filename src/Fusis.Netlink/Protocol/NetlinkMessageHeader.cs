using System.Buffers.Binary;

namespace Fusis.Netlink.Protocol;

/// <summary>struct nlmsghdr: 16 bytes, host byte order (little-endian on the machines Fusis supports).</summary>
public readonly record struct NetlinkMessageHeader(uint Length, ushort Type, ushort Flags, uint Sequence, uint PortId)
{
    public const int Size = 16;

    /// <summary>Netlink aligns messages and attributes to 4 bytes.</summary>
    public const int Alignment = 4;

    public static int Align(int length) => checked(length + Alignment - 1) & ~(Alignment - 1);

    public static NetlinkMessageHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new NetlinkProtocolException($"netlink message header truncated: {source.Length} of {Size} bytes");
        }

        return new NetlinkMessageHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[12..]));
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], PortId);
    }
}
