using System.Diagnostics;

namespace Fusis.Lab.Tests;

/// <summary>
/// A request to the VIP every 50 ms, each on a new connection, recorded with when it was sent (a request counts from
/// then) and whether a backend answered; it stops by itself after 180 s.
/// </summary>
internal sealed class VipTraffic : IDisposable
{
    private readonly List<(long At, bool Served)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _stream;

    public VipTraffic(HaLab lab)
    {
        _stream = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromSeconds(180))
            {
                long sent = Stopwatch.GetTimestamp();
                bool served = lab.Request() is "b1" or "b2";
                lock (_samples)
                {
                    _samples.Add((sent, served));
                }

                Thread.Sleep(50);
            }
        });
    }

    /// <summary>Whether a request sent after the timestamp <paramref name="at"/> was served.</summary>
    public bool ServedAfter(long at)
    {
        lock (_samples)
        {
            return _samples.Any(s => s.At > at && s.Served);
        }
    }

    /// <summary>Stops the requests; the outage around the timestamp <paramref name="at"/> (a kill, a stop).</summary>
    public async Task<VipOutage> StopAsync(long at)
    {
        await _stop.CancelAsync();
        await _stream.WaitAsync(TimeSpan.FromSeconds(60));
        List<(long At, bool Served)> seen;
        lock (_samples)
        {
            seen = [.. _samples];
        }

        long lastBefore = seen.Where(s => s.At < at && s.Served).Max(s => s.At);
        long firstAfter = seen.Where(s => s.At > at && s.Served).Min(s => s.At);
        return new VipOutage(
            Stopwatch.GetElapsedTime(lastBefore, firstAfter),
            Stopwatch.GetElapsedTime(at, firstAfter),
            seen.Count(s => !s.Served),
            seen.Count,
            [.. seen.Where(s => s.At > firstAfter && !s.Served).Select(s => Stopwatch.GetElapsedTime(at, s.At).TotalSeconds)]);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stream.Wait(TimeSpan.FromSeconds(60));
        _stop.Dispose();
    }
}
