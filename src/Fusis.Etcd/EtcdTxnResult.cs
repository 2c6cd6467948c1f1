namespace Fusis.Etcd;

/// <summary>
/// What a transaction did: <see cref="Succeeded"/> when every comparison held (the writes were made), else the keys
/// read instead, so the caller sees why. <see cref="Revision"/> is the store's revision after it.
/// </summary>
public sealed record EtcdTxnResult(bool Succeeded, long Revision, IReadOnlyList<EtcdKeyValue> ReadOnFailure);
