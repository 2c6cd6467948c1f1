using System.Net;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Tests;

public sealed class NetlinkMessageWriterTests
{
    [Fact]
    public void Message_header_length_is_back_patched_and_padded()
    {
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage(0x20, NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack, 7);
        writer.WriteGenericHeader(15, 1);
        writer.PutString(6, "rr");
        writer.EndMessage();

        Assert.Equal(
            Hex.Of(Hex.Bytes("1c000000 2000 0500 07000000 00000000 | 0f 01 0000 | 0700 0600 727200 00")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void Integers_are_host_order_and_ports_big_endian()
    {
        var writer = new NetlinkMessageWriter();
        writer.PutU8(1, 0xab);
        writer.PutU16(2, 0x0102);
        writer.PutU16BigEndian(3, 80);
        writer.PutU32(4, 0x01020304);
        writer.PutU64(5, 0x0102030405060708);

        Assert.Equal(
            Hex.Of(Hex.Bytes("0500 0100 ab000000 | 0600 0200 0201 0000 | 0600 0300 0050 0000 | 0800 0400 04030201 | 0c00 0500 0807060504030201")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void Nested_attributes_carry_the_nested_flag_and_their_whole_length()
    {
        var writer = new NetlinkMessageWriter();
        int outer = writer.BeginNested(1);
        writer.PutU16(1, 2);
        int inner = writer.BeginNested(2);
        writer.PutU32(3, 9);
        writer.EndNested(inner);
        writer.EndNested(outer);

        Assert.Equal(
            Hex.Of(Hex.Bytes("1800 0180 | 0600 0100 0200 0000 | 0c00 0280 | 0800 0300 09000000")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void Addresses_are_padded_to_the_field_size()
    {
        var writer = new NetlinkMessageWriter();
        writer.PutAddress(3, IPAddress.Parse("198.18.0.1"), 16);
        writer.PutAddress(4, IPAddress.Parse("fd00::1"));

        Assert.Equal(
            Hex.Of(Hex.Bytes("1400 0300 c6120001 00000000 00000000 00000000 | 1400 0400 fd000000 00000000 00000000 00000001")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void An_attribute_larger_than_its_length_field_throws_instead_of_wrapping()
    {
        var writer = new NetlinkMessageWriter();

        Assert.Throws<OverflowException>(() => writer.PutAttribute(1, new byte[70000]));
    }

    [Fact]
    public void Messages_must_be_begun_and_ended_in_pairs()
    {
        var writer = new NetlinkMessageWriter();

        Assert.Throws<InvalidOperationException>(writer.EndMessage);
        writer.BeginMessage(16, 0, 1);
        Assert.Throws<InvalidOperationException>(() => writer.BeginMessage(16, 0, 2));
    }
}
