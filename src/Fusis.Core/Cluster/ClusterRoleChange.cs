namespace Fusis.Core.Cluster;

/// <summary>This balancer's role changed (one log line each); <see cref="Reason"/> says why.</summary>
public sealed record ClusterRoleChange(ClusterRole Role, string Reason);
