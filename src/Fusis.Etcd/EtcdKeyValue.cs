namespace Fusis.Etcd;

/// <summary>One key as etcd holds it: its value and the revisions that created and last modified it.</summary>
public sealed record EtcdKeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision, long Lease);
