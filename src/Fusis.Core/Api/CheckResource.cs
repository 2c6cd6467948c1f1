namespace Fusis.Core.Api;

/// <summary>A service's health check as the API returns it (durations in seconds).</summary>
public sealed record CheckResource(
    string Type, string? Path, string ExpectedStatus, int Port, double IntervalSeconds, double TimeoutSeconds, int Rise, int Fall, string Action);
