using CsCheck;
using Fusis.Netlink.Ipvs;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Tests;

/// <summary>
/// Random and truncated frames through every decoder: each either decodes or throws NetlinkProtocolException,
/// never anything else (no IndexOutOfRange, no overflow, no hang).
/// </summary>
public sealed class DecoderFuzzTests
{
    // A real NEW_DEST reply, for mutations and truncations near valid input.
    private static readonly byte[] ValidDestination = Hex.Bytes(
        "05 01 0000 | 6000 0200 | 0600 0b00 0a00 0000 | 1400 0100 fd000000 00000000 00000000 00000005 | 0600 0200 01bb 0000 | " +
        "0800 0300 03000000 | 0800 0400 05000000 | 0800 0500 00000000 | 0800 0600 00000000 | " +
        "0800 0700 0b000000 | 0800 0800 0c000000 | 0800 0900 0d000000");

    [Fact]
    public void Random_bytes_only_ever_raise_protocol_errors() =>
        Gen.Byte.Array[0, 300].Sample(DecodeEverything, iter: 20_000);

    [Fact]
    public void Every_truncation_of_a_valid_reply_only_raises_protocol_errors()
    {
        for (int length = 0; length <= ValidDestination.Length; length++)
        {
            DecodeEverything(ValidDestination[..length]);
        }
    }

    [Fact]
    public void Mutated_valid_replies_only_raise_protocol_errors() =>
        Gen.Select(Gen.Int[0, ValidDestination.Length - 1], Gen.Byte, Gen.Int[0, 3])
            .Sample(
                mutation =>
                {
                    byte[] bytes = (byte[])ValidDestination.Clone();
                    bytes[mutation.Item1] = mutation.Item2;
                    if (mutation.Item3 == 0)
                    {
                        bytes[(mutation.Item1 + 7) % bytes.Length] ^= 0xff;
                    }

                    DecodeEverything(bytes);
                },
                iter: 20_000);

    private static void DecodeEverything(byte[] bytes)
    {
        Decode(() => IpvsCodec.ReadServiceMessage(default, bytes));
        Decode(() => IpvsCodec.ReadDestinationMessage(default, bytes));
        Decode(() => IpvsCodec.ReadSyncDaemonMessage(default, bytes));
        Decode(() => IpvsCodec.ReadInfo(bytes));
        Decode(() => IpvsCodec.ReadTimeouts(bytes));
        Decode(() => IpvsCodec.ReadStatistics(bytes));
        Decode(() =>
        {
            var reader = new NetlinkMessageReader(bytes);
            while (reader.TryRead(out NetlinkMessageHeader header, out ReadOnlySpan<byte> payload))
            {
                if (header.Type == NetlinkMessageType.Error)
                {
                    NetlinkErrorMessage.Parse(header, payload);
                }
            }

            return 0;
        });
        Decode(() =>
        {
            var header = new NetlinkMessageHeader(0, NetlinkMessageType.Error, (ushort)(bytes.Length > 0 ? bytes[0] << 8 : 0), 1, 1);
            return NetlinkErrorMessage.Parse(header, bytes);
        });
    }

    private static void Decode<T>(Func<T> decode)
    {
        try
        {
            decode();
        }
        catch (NetlinkProtocolException)
        {
        }
    }
}
