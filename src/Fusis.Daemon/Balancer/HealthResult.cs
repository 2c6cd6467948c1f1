namespace Fusis.Daemon.Balancer;

/// <summary>One probe of a destination: whether it passed, what it saw ("HTTP 200 in 3 ms", "connection refused"), when.</summary>
internal sealed record HealthResult(bool Healthy, string Detail, DateTimeOffset Time);
