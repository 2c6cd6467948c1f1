using System.Diagnostics;

namespace Fusis.Lab.Tests;

/// <summary>
/// Samples the balancers holding the VIP every 100 ms (rtnetlink in each namespace) until disposed, or for 180 s: the
/// most at once, and when each was first seen without it.
/// </summary>
internal sealed class VipHolderSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly Dictionary<int, long> _firstSeenWithout = [];
    private int _most;
    private int _samples;

    public VipHolderSampler()
    {
        _sampler = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromSeconds(180))
            {
                List<int> holders = HaLab.Holders();
                long seen = Stopwatch.GetTimestamp(); // after the reading: whatever changed, changed before this
                Volatile.Write(ref _most, Math.Max(Volatile.Read(ref _most), holders.Count));
                lock (_firstSeenWithout)
                {
                    for (int n = 1; n <= HaLab.Balancers; n++)
                    {
                        if (!holders.Contains(n))
                        {
                            _firstSeenWithout.TryAdd(n, seen);
                        }
                    }
                }

                Interlocked.Increment(ref _samples);
                Thread.Sleep(100);
            }
        });
    }

    /// <summary>The most balancers that held the VIP at once.</summary>
    public int Most => Volatile.Read(ref _most);

    public int Samples => Volatile.Read(ref _samples);

    /// <summary>
    /// The timestamp of the first sample that found balancer <paramref name="n"/> without the VIP (it had let go of it
    /// by then); null if every sample found it holding the VIP.
    /// </summary>
    public long? FirstSeenWithout(int n)
    {
        lock (_firstSeenWithout)
        {
            return _firstSeenWithout.TryGetValue(n, out long at) ? at : null;
        }
    }

    /// <summary>Stops sampling (bounded).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sampler.Wait(TimeSpan.FromSeconds(60));
        _stop.Dispose();
    }
}
