using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Fusis.Netlink.Protocol;

/// <summary>One attribute (struct nlattr + payload). Getters check the payload size the kernel ABI promises.</summary>
public readonly ref struct NetlinkAttribute
{
    /// <summary>NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the top bits of nla_type.</summary>
    public const ushort TypeMask = 0x3fff;
    public const ushort NestedFlag = 0x8000;
    public const ushort NetByteOrderFlag = 0x4000;
    public const int HeaderSize = 4;

    public NetlinkAttribute(ushort type, ReadOnlySpan<byte> payload)
    {
        Type = (ushort)(type & TypeMask);
        Payload = payload;
    }

    public ushort Type { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public byte GetU8() => Exactly(1)[0];

    public ushort GetU16() => BinaryPrimitives.ReadUInt16LittleEndian(Exactly(2));

    public ushort GetU16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(Exactly(2));

    public uint GetU32() => BinaryPrimitives.ReadUInt32LittleEndian(Exactly(4));

    public uint GetU32BigEndian() => BinaryPrimitives.ReadUInt32BigEndian(Exactly(4));

    public ulong GetU64() => BinaryPrimitives.ReadUInt64LittleEndian(Exactly(8));

    public int GetS32() => BinaryPrimitives.ReadInt32LittleEndian(Exactly(4));

    /// <summary>A NUL-terminated string (NLA_NUL_STRING); a missing terminator is tolerated, embedded NULs end it.</summary>
    public string GetString()
    {
        ReadOnlySpan<byte> bytes = Payload;
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            bytes = bytes[..nul];
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>An IPv4 or IPv6 address in the first 4 or 16 bytes of a field (IPVS pads IPv4 to 16 bytes).</summary>
    public IPAddress GetAddress(System.Net.Sockets.AddressFamily family)
    {
        int size = family switch
        {
            System.Net.Sockets.AddressFamily.InterNetwork => 4,
            System.Net.Sockets.AddressFamily.InterNetworkV6 => 16,
            _ => throw new NetlinkProtocolException($"attribute {Type}: unsupported address family {family}"),
        };
        if (Payload.Length < size)
        {
            throw new NetlinkProtocolException($"attribute {Type}: address is {Payload.Length} bytes, expected at least {size}");
        }

        return new IPAddress(Payload[..size]);
    }

    public NetlinkAttributeReader GetNested() => new(Payload);

    private ReadOnlySpan<byte> Exactly(int size)
    {
        if (Payload.Length != size)
        {
            throw new NetlinkProtocolException($"attribute {Type}: payload is {Payload.Length} bytes, expected {size}");
        }

        return Payload;
    }
}
