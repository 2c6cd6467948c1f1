using System.Buffers.Binary;
using Fusis.Netlink.Protocol;

namespace Fusis.Netlink.Tests;

/// <summary>
/// A transport whose "kernel" answers each send with datagrams a test scripts from what was sent:
/// well-behaved, or hostile (wrong port, sequence numbers never sent, truncated frames).
/// </summary>
internal sealed class ScriptedKernel : INetlinkTransport
{
    public const uint OurPort = 4242;

    private readonly Func<IReadOnlyList<NetlinkMessageHeader>, IEnumerable<byte[]>> _answer;
    private readonly Queue<byte[]> _pending = new();

    public ScriptedKernel(Func<IReadOnlyList<NetlinkMessageHeader>, IEnumerable<byte[]>> answer)
    {
        _answer = answer;
    }

    public uint PortId => OurPort;

    public long SendCalls { get; private set; }

    public long ReceiveCalls { get; private set; }

    /// <summary>Headers of every message sent, per send.</summary>
    public List<List<NetlinkMessageHeader>> Sent { get; } = [];

    public void Send(ReadOnlySpan<byte> datagram)
    {
        SendCalls++;
        var headers = new List<NetlinkMessageHeader>();
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out NetlinkMessageHeader header, out _))
        {
            headers.Add(header);
        }

        Sent.Add(headers);
        foreach (byte[] reply in _answer(headers))
        {
            _pending.Enqueue(reply);
        }
    }

    public int Receive(Span<byte> buffer)
    {
        ReceiveCalls++;
        if (!_pending.TryDequeue(out byte[]? datagram))
        {
            // What the real socket does when the kernel stays silent past SO_RCVTIMEO.
            throw new NetlinkException(Errno.ETIMEDOUT, "the kernel did not answer", null);
        }

        datagram.CopyTo(buffer);
        return datagram.Length;
    }

    public void Dispose()
    {
    }

    public static byte[] Message(ushort type, ushort flags, uint sequence, ReadOnlySpan<byte> payload, uint port = OurPort)
    {
        var bytes = new byte[NetlinkMessageHeader.Align(NetlinkMessageHeader.Size + payload.Length)];
        new NetlinkMessageHeader((uint)(NetlinkMessageHeader.Size + payload.Length), type, flags, sequence, port).Write(bytes);
        payload.CopyTo(bytes.AsSpan(NetlinkMessageHeader.Size));
        return bytes;
    }

    /// <summary>NLMSG_ERROR answering <paramref name="request"/> (errno 0 is an ACK).</summary>
    public static byte[] Error(NetlinkMessageHeader request, Errno errno, uint port = OurPort)
    {
        var payload = new byte[4 + NetlinkMessageHeader.Size];
        BinaryPrimitives.WriteInt32LittleEndian(payload, -(int)errno);
        request.Write(payload.AsSpan(4));
        return Message(NetlinkMessageType.Error, NetlinkMessageFlags.Capped, request.Sequence, payload, port);
    }

    public static byte[] Concat(params byte[][] messages) => messages.SelectMany(m => m).ToArray();
}
