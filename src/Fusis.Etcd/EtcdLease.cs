namespace Fusis.Etcd;

/// <summary>A lease etcd granted: keys attached to it are deleted when it is not kept alive for <see cref="Ttl"/>.</summary>
public sealed record EtcdLease(long Id, TimeSpan Ttl);
