namespace Fusis.Etcd;

/// <summary>A watch asked for history etcd has compacted away: the watcher must read everything again.</summary>
public sealed class EtcdCompactedException : EtcdException
{
    public EtcdCompactedException()
    {
    }

    public EtcdCompactedException(string message)
        : base(message)
    {
    }

    public EtcdCompactedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EtcdCompactedException(long compactRevision)
        : base($"etcd compacted its history up to revision {compactRevision}")
    {
        CompactRevision = compactRevision;
    }

    /// <summary>The oldest revision etcd still has.</summary>
    public long CompactRevision { get; }
}
