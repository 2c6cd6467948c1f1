using CsCheck;
using Fusis.Netlink.Ipvs;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Tests;

/// <summary>
/// Random and truncated frames through every decoder: each either decodes or throws NetlinkProtocolException,
/// never anything else (no IndexOutOfRange, no overflow), within a bound (a hang fails the test). The valid reply
/// and some of its mutations must decode: a decoder that refused everything would fail.
/// </summary>
public sealed class DecoderFuzzTests
{
    // Generous: each test takes well under a second; a decoder that loops never finishes.
    private const int HangBound = 60_000;

    // A real NEW_DEST reply, for mutations and truncations near valid input.
    private static readonly byte[] ValidDestination = Hex.Bytes(
        "05 01 0000 | 6000 0200 | 0600 0b00 0a00 0000 | 1400 0100 fd000000 00000000 00000000 00000005 | 0600 0200 01bb 0000 | " +
        "0800 0300 03000000 | 0800 0400 05000000 | 0800 0500 00000000 | 0800 0600 00000000 | " +
        "0800 0700 0b000000 | 0800 0800 0c000000 | 0800 0900 0d000000");

    [Fact(Timeout = HangBound)]
    public Task Random_bytes_only_ever_raise_protocol_errors() =>
        Task.Run(() => Gen.Byte.Array[0, 300].Sample(b => { DecodeEverything(b); }, iter: 20_000), TestContext.Current.CancellationToken);

    [Fact(Timeout = HangBound)]
    public Task Every_truncation_of_a_valid_reply_only_raises_protocol_errors() => Task.Run(() =>
    {
        for (int length = 0; length < ValidDestination.Length; length++)
        {
            DecodeEverything(ValidDestination[..length]);
        }

        IpvsDestination? whole = IpvsCodec.ReadDestinationMessage(default, ValidDestination);
        Assert.Equal(("fd00::5", (ushort)443, 5), (whole?.Address.ToString(), whole?.Port, whole?.Weight)); // NEW_DEST: address, port 443, weight 5
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = HangBound)]
    public Task Mutated_valid_replies_only_raise_protocol_errors() => Task.Run(() =>
    {
        int decoded = 0;
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

                    Interlocked.Add(ref decoded, DecodeEverything(bytes) > 0 ? 1 : 0);
                },
                iter: 20_000);

        // Addresses, counters and most flag bytes can change and still decode.
        Assert.True(decoded > 2_000, $"only {decoded} of 20,000 mutated replies decoded");
    }, TestContext.Current.CancellationToken);

    // How many decoders accepted the bytes.
    private static int DecodeEverything(byte[] bytes) =>
        Decode(() => IpvsCodec.ReadServiceMessage(default, bytes))
        + Decode(() => IpvsCodec.ReadDestinationMessage(default, bytes))
        + Decode(() => IpvsCodec.ReadSyncDaemonMessage(default, bytes))
        + Decode(() => IpvsCodec.ReadInfo(bytes))
        + Decode(() => IpvsCodec.ReadTimeouts(bytes))
        + Decode(() => IpvsCodec.ReadStatistics(bytes))
        + Decode(() =>
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
        })
        + Decode(() =>
        {
            var header = new NetlinkMessageHeader(0, NetlinkMessageType.Error, (ushort)(bytes.Length > 0 ? bytes[0] << 8 : 0), 1, 1);
            return NetlinkErrorMessage.Parse(header, bytes);
        });

    private static int Decode<T>(Func<T> decode)
    {
        try
        {
            decode();
            return 1;
        }
        catch (NetlinkProtocolException)
        {
            return 0;
        }
    }
}
