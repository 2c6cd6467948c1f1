namespace Fusis.Core.State;

/// <summary>
/// A service's health check, run by the balancer against each destination: a TCP connect, or an HTTP GET whose
/// status must fall in [<see cref="StatusMin"/>, <see cref="StatusMax"/>]. <see cref="Fall"/> failures in a row take
/// a destination down (weight 0 keeping its connections, or removed, per <see cref="Action"/>); <see cref="Rise"/>
/// successes bring it back.
/// </summary>
public sealed record HealthCheck
{
    public HealthCheckType Type { get; init; } = HealthCheckType.Tcp;

    /// <summary>The HTTP path (HTTP checks).</summary>
    public string Path { get; init; } = "/";

    public int StatusMin { get; init; } = 200;

    public int StatusMax { get; init; } = 399;

    /// <summary>The port probed; 0: the destination's own.</summary>
    public ushort Port { get; init; }

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Rise { get; init; } = 2;

    public int Fall { get; init; } = 3;

    public HealthCheckAction Action { get; init; } = HealthCheckAction.Remove;

    /// <summary>The longest interval (and so timeout) a check has: a day, well inside what a timer holds.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    /// <summary>Every problem of the check's settings.</summary>
    public IEnumerable<string> Problems()
    {
        if (Interval < TimeSpan.FromMilliseconds(100) || Interval > MaxInterval)
        {
            yield return "the check interval must be at least 100 ms and at most 24 h";
        }

        if (Timeout <= TimeSpan.Zero || Timeout > Interval)
        {
            yield return "the check timeout must be above 0 and not above the interval";
        }

        if (Rise is < 1 or > 100 || Fall is < 1 or > 100)
        {
            yield return "rise and fall are 1 to 100";
        }

        if (StatusMin is < 100 or > 599 || StatusMax is < 100 or > 599 || StatusMin > StatusMax)
        {
            yield return "the expected status range must lie within 100-599";
        }

        if (!Path.StartsWith('/'))
        {
            yield return "the HTTP path must start with '/'";
        }
    }
}
