namespace Fusis.Etcd;

/// <summary>One change a watch reports: the key after a put, or the key deleted (with <see cref="Deleted"/>).</summary>
public sealed record EtcdWatchEvent(bool Deleted, EtcdKeyValue KeyValue);
