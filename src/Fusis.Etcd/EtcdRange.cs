namespace Fusis.Etcd;

/// <summary>The keys under a prefix at one revision of the store.</summary>
public sealed record EtcdRange(long Revision, IReadOnlyList<EtcdKeyValue> Items);
