namespace Fusis.Etcd;

/// <summary>A condition of a transaction on one key.</summary>
public sealed record EtcdCompare
{
    private EtcdCompare(string key, EtcdCompareTarget target, long revision, ReadOnlyMemory<byte> value)
    {
        Key = key;
        Target = target;
        Revision = revision;
        Value = value;
    }

    public string Key { get; }

    public EtcdCompareTarget Target { get; }

    public long Revision { get; }

    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The key was last modified at <paramref name="revision"/> (0: the key does not exist).</summary>
    public static EtcdCompare ModifiedAt(string key, long revision) => new(key, EtcdCompareTarget.ModRevision, revision, default);

    /// <summary>The key was created at <paramref name="revision"/> (0: the key does not exist): the same incarnation of it.</summary>
    public static EtcdCompare CreatedAt(string key, long revision) => new(key, EtcdCompareTarget.CreateRevision, revision, default);

    /// <summary>The key holds exactly <paramref name="value"/>.</summary>
    public static EtcdCompare Holds(string key, ReadOnlyMemory<byte> value) => new(key, EtcdCompareTarget.Value, 0, value);
}
