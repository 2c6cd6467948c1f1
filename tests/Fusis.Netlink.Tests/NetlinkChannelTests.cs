using System.Buffers.Binary;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Tests;

/// <summary>The strict receive loop, against scripted kernels that misbehave in every way we know.</summary>
public sealed class NetlinkChannelTests
{
    private const ushort Family = 0x20;

    [Fact]
    public void Request_returns_the_kernels_answer_after_its_replies()
    {
        var replies = new List<uint>();
        var kernel = new ScriptedKernel(sent => [ScriptedKernel.Message(Family, 0, sent[0].Sequence, U32(7)), ScriptedKernel.Error(sent[0], Errno.None)]);
        using var channel = new NetlinkChannel(kernel);

        NetlinkAck ack = channel.Request(Family, 0, w => w.WriteGenericHeader(1, 1), (_, payload) =>
        {
            replies.Add(BinaryPrimitives.ReadUInt32LittleEndian(payload));
            return true;
        });

        Assert.True(ack.Succeeded);
        Assert.Equal([7u], replies);
        NetlinkMessageHeader request = Assert.Single(Assert.Single(kernel.Sent));
        Assert.Equal(NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack, request.Flags);
    }

    [Fact]
    public void Replies_to_another_port_are_a_protocol_violation()
    {
        var kernel = new ScriptedKernel(sent => [ScriptedKernel.Error(sent[0], Errno.None, port: 9999)]);
        using var channel = new NetlinkChannel(kernel);

        Assert.Throws<NetlinkProtocolException>(() => channel.Request(Family, 0, w => w.WriteGenericHeader(1, 1)));
    }

    [Fact]
    public void A_sequence_number_never_sent_is_a_protocol_violation_and_a_stale_one_is_skipped()
    {
        var future = new ScriptedKernel(sent => [ScriptedKernel.Error(sent[0] with { Sequence = sent[0].Sequence + 5 }, Errno.None)]);
        using (var channel = new NetlinkChannel(future))
        {
            Assert.Throws<NetlinkProtocolException>(() => channel.Request(Family, 0, w => w.WriteGenericHeader(1, 1)));
        }

        var stale = new ScriptedKernel(sent =>
            [ScriptedKernel.Concat(ScriptedKernel.Error(sent[0] with { Sequence = sent[0].Sequence - 3 }, Errno.EEXIST), ScriptedKernel.Error(sent[0], Errno.None))]);
        using (var channel = new NetlinkChannel(stale))
        {
            Assert.True(channel.Request(Family, 0, w => w.WriteGenericHeader(1, 1)).Succeeded);
        }
    }

    [Fact]
    public void Silence_from_the_kernel_ends_in_a_timeout_not_a_hang()
    {
        var kernel = new ScriptedKernel(_ => []);
        using var channel = new NetlinkChannel(kernel);

        var error = Assert.Throws<NetlinkException>(() => channel.Request(Family, 0, w => w.WriteGenericHeader(1, 1)));
        Assert.Equal(Errno.ETIMEDOUT, error.Errno);
    }

    [Fact]
    public void Truncated_reply_is_a_protocol_error()
    {
        var kernel = new ScriptedKernel(sent => [ScriptedKernel.Error(sent[0], Errno.None)[..20]]);
        using var channel = new NetlinkChannel(kernel);

        Assert.Throws<NetlinkProtocolException>(() => channel.Request(Family, 0, w => w.WriteGenericHeader(1, 1)));
    }

    [Fact]
    public void Dump_collects_multipart_replies_until_done()
    {
        var kernel = new ScriptedKernel(sent =>
        [
            ScriptedKernel.Concat(Item(sent[0].Sequence, 1, 0), Item(sent[0].Sequence, 2, 0)),
            ScriptedKernel.Concat(Item(sent[0].Sequence, 3, 0), Done(sent[0].Sequence)),
        ]);
        using var channel = new NetlinkChannel(kernel);

        List<uint> items = channel.Dump(Family, w => w.WriteGenericHeader(4, 1), ReadItem, "list things");

        Assert.Equal([1u, 2u, 3u], items);
        Assert.Equal(NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump, kernel.Sent[0][0].Flags);
    }

    [Fact]
    public void Interrupted_dump_is_read_again_from_the_start()
    {
        int attempt = 0;
        var kernel = new ScriptedKernel(sent => ++attempt == 1
            ? [ScriptedKernel.Concat(Item(sent[0].Sequence, 1, 0), Item(sent[0].Sequence, 2, NetlinkMessageFlags.DumpInterrupted), Done(sent[0].Sequence))]
            : [ScriptedKernel.Concat(Item(sent[0].Sequence, 1, 0), Item(sent[0].Sequence, 5, 0), Done(sent[0].Sequence))]);
        using var channel = new NetlinkChannel(kernel);

        List<uint> items = channel.Dump(Family, w => w.WriteGenericHeader(4, 1), ReadItem, "list things");

        Assert.Equal([1u, 5u], items);
        Assert.Equal(2, kernel.Sent.Count);
    }

    [Fact]
    public void A_dump_that_never_settles_fails_after_bounded_attempts()
    {
        var kernel = new ScriptedKernel(sent => [ScriptedKernel.Concat(Item(sent[0].Sequence, 1, NetlinkMessageFlags.DumpInterrupted), Done(sent[0].Sequence))]);
        using var channel = new NetlinkChannel(kernel);

        var error = Assert.Throws<NetlinkException>(() => channel.Dump(Family, w => w.WriteGenericHeader(4, 1), ReadItem, "list things"));
        Assert.Equal(Errno.EINTR, error.Errno);
        Assert.Equal(8, kernel.Sent.Count);
    }

    [Fact]
    public void Dump_reply_without_multi_and_dump_errors_are_reported()
    {
        using (var channel = new NetlinkChannel(new ScriptedKernel(sent => [Item(sent[0].Sequence, 1, 0, multi: false)])))
        {
            Assert.Throws<NetlinkProtocolException>(() => channel.Dump(Family, w => w.WriteGenericHeader(4, 1), ReadItem, "list things"));
        }

        using (var channel = new NetlinkChannel(new ScriptedKernel(sent => [ScriptedKernel.Error(sent[0], Errno.EPERM)])))
        {
            var error = Assert.Throws<NetlinkException>(() => channel.Dump(Family, w => w.WriteGenericHeader(4, 1), ReadItem, "list things"));
            Assert.Equal(Errno.EPERM, error.Errno);
            Assert.StartsWith("list things failed", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Batch_acks_only_the_last_message_of_each_send_and_maps_errors_to_their_requests()
    {
        // A kernel that fails every third request, and acknowledges whatever asks for it.
        var kernel = new ScriptedKernel(sent =>
        [
            ScriptedKernel.Concat(sent
                .Select((h, i) => (h, i))
                .Where(x => (x.h.Sequence % 3 == 0) || (x.h.Flags & NetlinkMessageFlags.Ack) != 0)
                .Select(x => ScriptedKernel.Error(x.h, x.h.Sequence % 3 == 0 ? Errno.EEXIST : Errno.None))
                .ToArray()),
        ]);
        using var channel = new NetlinkChannel(kernel) { MaxDatagramBytes = 1000 };
        var batch = new NetlinkBatch();
        for (int i = 0; i < 100; i++)
        {
            batch.Add(Family, 0, w =>
            {
                w.WriteGenericHeader(1, 1);
                w.PutU32(1, (uint)i);
            });
        }

        NetlinkAck[] results = channel.Execute(batch);

        // 100 messages of 28 bytes, at most 1000 bytes a send: 35 + 35 + 30.
        Assert.Equal([35, 35, 30], kernel.Sent.Select(s => s.Count));
        Assert.All(kernel.Sent, send =>
        {
            Assert.All(send[..^1], h => Assert.Equal(NetlinkMessageFlags.Request, h.Flags));
            Assert.Equal(NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack, send[^1].Flags);
        });
        uint first = kernel.Sent[0][0].Sequence;
        Assert.Equal(
            Enumerable.Range(0, 100).Select(i => (first + (uint)i) % 3 == 0 ? Errno.EEXIST : Errno.None),
            results.Select(r => r.Errno));
        Assert.Equal(3, kernel.ReceiveCalls);
    }

    private static NetlinkReplyParser<uint> ReadItem => (_, payload) => BinaryPrimitives.ReadUInt32LittleEndian(payload);

    private static byte[] Item(uint sequence, uint value, ushort flags, bool multi = true) =>
        ScriptedKernel.Message(Family, (ushort)(flags | (multi ? NetlinkMessageFlags.Multi : 0)), sequence, U32(value));

    private static byte[] Done(uint sequence) => ScriptedKernel.Message(NetlinkMessageType.Done, NetlinkMessageFlags.Multi, sequence, U32(0));

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
