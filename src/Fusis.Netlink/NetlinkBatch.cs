using Fusis.Netlink.Protocol;

namespace Fusis.Netlink;

/// <summary>
/// Write requests to send together (<see cref="NetlinkChannel.Execute"/>): they go out back to back in as few
/// sends as fit, and each gets its own result. Sequence numbers are assigned when the batch is sent.
/// </summary>
public sealed class NetlinkBatch
{
    private readonly List<int> _offsets = [];

    public NetlinkBatch(int initialCapacity = 64 * 1024)
    {
        Writer = new NetlinkMessageWriter(initialCapacity);
    }

    public int Count => _offsets.Count;

    internal NetlinkMessageWriter Writer { get; }

    internal IReadOnlyList<int> Offsets => _offsets;

    /// <summary>Adds one request.</summary>
    public void Add(ushort type, ushort flags, NetlinkBodyWriter writeBody)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        _offsets.Add(Writer.BeginMessage(type, (ushort)(flags | NetlinkMessageFlags.Request), 0));
        writeBody(Writer);
        Writer.EndMessage();
    }

    public void Clear()
    {
        _offsets.Clear();
        Writer.Clear();
    }
}
