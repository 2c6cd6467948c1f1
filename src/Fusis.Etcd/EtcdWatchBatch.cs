namespace Fusis.Etcd;

/// <summary>The changes of one or more revisions, in order; <see cref="Revision"/> is the newest they reach.</summary>
public sealed record EtcdWatchBatch(long Revision, IReadOnlyList<EtcdWatchEvent> Events);
