namespace Fusis.Etcd;

/// <summary>A put (with an optional lease) or a delete, as one step of a transaction.</summary>
public sealed record EtcdWrite
{
    private EtcdWrite(string key, ReadOnlyMemory<byte>? value, long lease)
    {
        Key = key;
        Value = value;
        Lease = lease;
    }

    public string Key { get; }

    /// <summary>The value put; null for a delete.</summary>
    public ReadOnlyMemory<byte>? Value { get; }

    /// <summary>The lease the key is attached to (it is deleted when the lease expires); 0: none.</summary>
    public long Lease { get; }

    public static EtcdWrite Put(string key, ReadOnlyMemory<byte> value, long lease = 0) => new(key, value, lease);

    public static EtcdWrite Delete(string key) => new(key, null, 0);
}
