using System.Buffers.Binary;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink;

/// <summary>
/// The strict request loop over one <see cref="INetlinkTransport"/>: sequence numbers, acks and errors matched to
/// their requests, multi-part dumps (restarted when the kernel flags them interrupted), and pipelined batches.
/// Every reply is checked: from the kernel, to our port id, for a sequence number we sent.
/// </summary>
public sealed class NetlinkChannel : IDisposable
{
    // Dump datagrams are at most 32 KiB (the kernel caps them), error replies far smaller.
    private const int ReceiveBufferBytes = 64 * 1024;
    private const int MaxDumpAttempts = 8;

    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferBytes];
    private readonly NetlinkMessageWriter _writer = new();
    private uint _lastSequence;

    public NetlinkChannel(INetlinkTransport transport)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport));
        // Any start value works; a time-derived one makes replies to an earlier process's port unlikely to match.
        _lastSequence = (uint)Environment.TickCount;
    }

    public INetlinkTransport Transport { get; }

    /// <summary>
    /// Bytes per send for batches. The default fits the kernel's default send buffer; the kernel handles
    /// the messages of one send one after another, synchronously, before the send returns.
    /// </summary>
    public int MaxDatagramBytes { get; init; } = 128 * 1024;

    /// <summary>Sends one request with NLM_F_ACK and waits for its answer; reply messages go to <paramref name="onReply"/>.</summary>
    public NetlinkAck Request(ushort type, ushort flags, NetlinkBodyWriter writeBody, NetlinkReplyParser<bool>? onReply = null)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        uint sequence = SendOne(type, (ushort)(flags | NetlinkMessageFlags.Ack), writeBody);
        while (true)
        {
            int length = Transport.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out NetlinkMessageHeader header, out ReadOnlySpan<byte> payload))
            {
                if (!IsOurs(header, sequence, sequence))
                {
                    continue;
                }

                if (header.Type == NetlinkMessageType.Error)
                {
                    var error = NetlinkErrorMessage.Parse(header, payload);
                    return new NetlinkAck(error.Errno, error.KernelMessage);
                }

                if (header.Type == NetlinkMessageType.Noop)
                {
                    continue;
                }

                if (header.Type < NetlinkMessageType.MinimumFamilyType)
                {
                    throw new NetlinkProtocolException($"unexpected netlink control message {header.Type} in reply to a request");
                }

                onReply?.Invoke(header, payload);
            }
        }
    }

    /// <summary>
    /// Runs a dump (NLM_F_DUMP) and parses every reply message. An interrupted dump (the table changed while it
    /// was read) is read again from the start, a bounded number of times.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused the dump; <paramref name="what"/> names it in the message.</exception>
    public List<T> Dump<T>(ushort type, NetlinkBodyWriter writeBody, NetlinkReplyParser<T> parse, string what)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        ArgumentNullException.ThrowIfNull(parse);
        for (int attempt = 1; ; attempt++)
        {
            var items = new List<T>();
            bool interrupted = RunDump(type, writeBody, parse, items, what);
            if (!interrupted)
            {
                return items;
            }

            if (attempt == MaxDumpAttempts)
            {
                throw new NetlinkException(Errno.EINTR,
                    $"{what}: the kernel table kept changing during {MaxDumpAttempts} dump attempts", null);
            }
        }
    }

    /// <summary>
    /// Sends a batch of write requests in as few sends as <see cref="MaxDatagramBytes"/> allows. Only the last
    /// request of each send asks for an ACK: the kernel answers every failed request with an error carrying its
    /// sequence number, so successes cost no reply and no receive. Returns one result per request, in order.
    /// </summary>
    public NetlinkAck[] Execute(NetlinkBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var results = new NetlinkAck[batch.Count];
        if (batch.Count == 0)
        {
            return results;
        }

        uint first = NextSequences(batch.Count);
        Span<byte> buffer = batch.Writer.WrittenSpanForPatching;
        IReadOnlyList<int> offsets = batch.Offsets;
        int total = buffer.Length;
        int EndOf(int index) => index + 1 < offsets.Count ? offsets[index + 1] : total;

        int chunkStart = 0;
        while (chunkStart < offsets.Count)
        {
            // [chunkStart, chunkEnd): whole messages within the limit; one larger message still goes alone.
            int chunkEnd = chunkStart + 1;
            while (chunkEnd < offsets.Count && EndOf(chunkEnd) - offsets[chunkStart] <= MaxDatagramBytes)
            {
                chunkEnd++;
            }

            for (int i = chunkStart; i < chunkEnd; i++)
            {
                PatchHeader(buffer[offsets[i]..], unchecked(first + (uint)i), ack: i == chunkEnd - 1);
            }

            Transport.Send(buffer[offsets[chunkStart]..EndOf(chunkEnd - 1)]);
            CollectBatchReplies(first, unchecked(first + (uint)(chunkEnd - 1)), results);
            chunkStart = chunkEnd;
        }

        return results;
    }

    public void Dispose() => Transport.Dispose();

    private static void PatchHeader(Span<byte> message, uint sequence, bool ack)
    {
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(message[6..]);
        flags = ack ? (ushort)(flags | NetlinkMessageFlags.Ack) : (ushort)(flags & ~NetlinkMessageFlags.Ack);
        BinaryPrimitives.WriteUInt16LittleEndian(message[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], sequence);
    }

    private void CollectBatchReplies(uint first, uint barrier, NetlinkAck[] results)
    {
        while (true)
        {
            int length = Transport.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            bool done = false;
            while (reader.TryRead(out NetlinkMessageHeader header, out ReadOnlySpan<byte> payload))
            {
                if (!IsOurs(header, first, barrier) || header.Type == NetlinkMessageType.Noop)
                {
                    continue;
                }

                if (header.Type != NetlinkMessageType.Error)
                {
                    throw new NetlinkProtocolException($"unexpected netlink message type {header.Type} in reply to a write batch");
                }

                var error = NetlinkErrorMessage.Parse(header, payload);
                results[unchecked(header.Sequence - first)] = new NetlinkAck(error.Errno, error.KernelMessage);
                done |= header.Sequence == barrier;
            }

            if (done)
            {
                return;
            }
        }
    }

    private bool RunDump<T>(ushort type, NetlinkBodyWriter writeBody, NetlinkReplyParser<T> parse, List<T> items, string what)
    {
        uint sequence = SendOne(type, NetlinkMessageFlags.Dump, writeBody);
        bool interrupted = false;
        while (true)
        {
            int length = Transport.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out NetlinkMessageHeader header, out ReadOnlySpan<byte> payload))
            {
                if (!IsOurs(header, sequence, sequence))
                {
                    continue;
                }

                interrupted |= (header.Flags & NetlinkMessageFlags.DumpInterrupted) != 0;
                switch (header.Type)
                {
                    case NetlinkMessageType.Done:
                        ThrowIfDumpFailed(payload, what);
                        return interrupted;
                    case NetlinkMessageType.Error:
                        var error = NetlinkErrorMessage.Parse(header, payload);
                        if (error.IsAck)
                        {
                            return interrupted;
                        }

                        throw NetlinkException.FromAck(new NetlinkAck(error.Errno, error.KernelMessage), what);
                    case NetlinkMessageType.Noop:
                        break;
                    case < NetlinkMessageType.MinimumFamilyType:
                        throw new NetlinkProtocolException($"unexpected netlink control message {header.Type} in a dump");
                    default:
                        if ((header.Flags & NetlinkMessageFlags.Multi) == 0)
                        {
                            throw new NetlinkProtocolException("a dump reply without NLM_F_MULTI");
                        }

                        if (!interrupted && parse(header, payload) is { } item)
                        {
                            items.Add(item);
                        }

                        break;
                }
            }
        }
    }

    // One request, alone in its send; returns its sequence number.
    private uint SendOne(ushort type, ushort flags, NetlinkBodyWriter writeBody)
    {
        uint sequence = NextSequences(1);
        _writer.Clear();
        _writer.BeginMessage(type, (ushort)(flags | NetlinkMessageFlags.Request), sequence);
        writeBody(_writer);
        _writer.EndMessage();
        Transport.Send(_writer.WrittenSpan);
        return sequence;
    }

    private static void ThrowIfDumpFailed(ReadOnlySpan<byte> payload, string what)
    {
        if (payload.Length >= 4)
        {
            int error = BinaryPrimitives.ReadInt32LittleEndian(payload);
            if (error < 0 && error != int.MinValue)
            {
                throw NetlinkException.FromAck(new NetlinkAck((Errno)(-error), null), what);
            }
        }
    }

    // Replies to earlier, abandoned requests (a timeout, an exception mid-dump) are dropped; anything
    // claiming a sequence number we have not sent yet, or another port, is a protocol violation.
    private bool IsOurs(NetlinkMessageHeader header, uint first, uint last)
    {
        if (header.PortId != Transport.PortId && header.PortId != 0)
        {
            throw new NetlinkProtocolException($"netlink reply for port {header.PortId}, ours is {Transport.PortId}");
        }

        uint offset = unchecked(header.Sequence - first);
        uint span = unchecked(last - first);
        if (offset <= span)
        {
            return true;
        }

        if (unchecked(header.Sequence - _lastSequence) < int.MaxValue && header.Sequence != _lastSequence)
        {
            throw new NetlinkProtocolException($"netlink reply with sequence number {header.Sequence}, which was never sent");
        }

        return false;
    }

    private uint NextSequences(int count)
    {
        uint first = unchecked(_lastSequence + 1);
        if (first == 0)
        {
            first = 1; // 0 is what unsolicited kernel messages carry
        }

        _lastSequence = unchecked(first + (uint)count - 1);
        return first;
    }

    /// <summary>strerror-like text for an errno.</summary>
    public static string Describe(Errno errno) =>
        $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage((int)errno)} ({errno})";
}
