using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Tests;

public sealed class NetlinkReaderTests
{
    [Fact]
    public void Reads_consecutive_messages_and_their_payloads()
    {
        byte[] datagram = Hex.Bytes("14000000 1000 0200 01000000 2a000000 aabbccdd | 10000000 0300 0200 01000000 2a000000");
        var reader = new NetlinkMessageReader(datagram);

        Assert.True(reader.TryRead(out NetlinkMessageHeader first, out ReadOnlySpan<byte> payload));
        Assert.Equal(new NetlinkMessageHeader(20, 16, NetlinkMessageFlags.Multi, 1, 42), first);
        Assert.Equal("aabbccdd", Hex.Of(payload));
        Assert.True(reader.TryRead(out NetlinkMessageHeader done, out payload));
        Assert.Equal(NetlinkMessageType.Done, done.Type);
        Assert.True(payload.IsEmpty);
        Assert.False(reader.TryRead(out _, out _));
    }

    [Theory]
    [InlineData("0c000000 1000 0000 01000000")]                     // header cut short
    [InlineData("20000000 1000 0000 01000000 00000000")]            // claims more than there is
    [InlineData("08000000 1000 0000 01000000 00000000")]            // shorter than a header
    public void Bad_message_lengths_are_protocol_errors(string hex)
    {
        var error = Record.Exception(() =>
        {
            var reader = new NetlinkMessageReader(Hex.Bytes(hex));
            reader.TryRead(out _, out _);
        });

        Assert.IsType<NetlinkProtocolException>(error);
    }

    [Fact]
    public void Attribute_reader_masks_flags_and_validates_lengths()
    {
        var reader = new NetlinkAttributeReader(Hex.Bytes("0800 0180 01000000 | 0500 0200 ff 000000"));

        Assert.True(reader.TryRead(out NetlinkAttribute nested));
        Assert.Equal(1, nested.Type);
        Assert.True(reader.TryRead(out NetlinkAttribute u8));
        Assert.Equal(0xff, u8.GetU8());
        Assert.False(reader.TryRead(out _));

        Assert.Throws<NetlinkProtocolException>(() => new NetlinkAttributeReader(Hex.Bytes("0900 0100 00000000")).TryRead(out _));
        Assert.Throws<NetlinkProtocolException>(() => new NetlinkAttributeReader(Hex.Bytes("0200 0100 00000000")).TryRead(out _));
    }

    [Fact]
    public void Getters_insist_on_the_abi_size()
    {
        var reader = new NetlinkAttributeReader(Hex.Bytes("0600 0100 0102 0000"));
        reader.TryRead(out NetlinkAttribute attribute);

        Assert.Equal(0x0201, attribute.GetU16());
        Assert.Equal(0x0102, attribute.GetU16BigEndian());
        var error = Record.Exception(() =>
        {
            var again = new NetlinkAttributeReader(Hex.Bytes("0600 0100 0102 0000"));
            again.TryRead(out NetlinkAttribute a);
            a.GetU32();
        });
        Assert.IsType<NetlinkProtocolException>(error);
    }

    [Fact]
    public void Error_message_with_extended_ack_text()
    {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS: -EEXIST, the request's header, then NLMSGERR_ATTR_MSG "Service exists".
        byte[] message = Hex.Bytes(
            "38000000 0200 0003 05000000 2a000000 | efffffff | 68000000 2000 0500 05000000 00000000 | 1300 0100 5365727669636520657869737473 00 00");
        var reader = new NetlinkMessageReader(message);
        reader.TryRead(out NetlinkMessageHeader header, out ReadOnlySpan<byte> payload);

        NetlinkErrorMessage error = NetlinkErrorMessage.Parse(header, payload);

        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Equal("Service exists", error.KernelMessage);
        Assert.Equal(5u, error.Request.Sequence);
        Assert.False(error.IsAck);
    }

    [Fact]
    public void Ack_without_tlvs()
    {
        byte[] message = Hex.Bytes("24000000 0200 0001 05000000 2a000000 | 00000000 | 68000000 2000 0500 05000000 00000000");
        var reader = new NetlinkMessageReader(message);
        reader.TryRead(out NetlinkMessageHeader header, out ReadOnlySpan<byte> payload);

        NetlinkErrorMessage ack = NetlinkErrorMessage.Parse(header, payload);

        Assert.True(ack.IsAck);
        Assert.Null(ack.KernelMessage);
    }

    [Theory]
    [InlineData("01000000 | 68000000 2000 0500 05000000 00000000")]   // positive "errno"
    [InlineData("efffffff | 6800")]                                  // echoed header cut short
    public void Impossible_error_messages_are_protocol_errors(string payloadHex)
    {
        byte[] payload = Hex.Bytes(payloadHex);
        var header = new NetlinkMessageHeader((uint)(16 + payload.Length), NetlinkMessageType.Error, 0, 1, 1);

        Assert.Throws<NetlinkProtocolException>(() => NetlinkErrorMessage.Parse(header, payload));
    }
}
