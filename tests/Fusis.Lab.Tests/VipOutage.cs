namespace Fusis.Lab.Tests;

/// <summary>
/// What requests to the VIP saw around a moment: <paramref name="Gap"/> from the last request served before it to the
/// first served after it (sent times), <paramref name="FirstServed"/> from the moment to that first one, and the
/// failures: all of them, and those sent after the first served one (seconds after the moment).
/// </summary>
internal sealed record VipOutage(TimeSpan Gap, TimeSpan FirstServed, int Failed, int Sent, IReadOnlyList<double> FailedAfterRecovery);
