namespace Fusis.Core.Cluster;

/// <summary>A change of leader: when, from which balancer (none: there was no leader), to which, and why.</summary>
public sealed record ClusterFailover(DateTimeOffset At, string? From, string To, string Reason);
