using System.Diagnostics;

namespace Fusis.Lab.Tests;

/// <summary>Counts the balancers holding the VIP every 100 ms (rtnetlink in each namespace) until disposed, or for 180 s.</summary>
internal sealed class VipHolderSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private int _most;
    private int _samples;

    public VipHolderSampler()
    {
        _sampler = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromSeconds(180))
            {
                int holders = HaLab.Holders().Count;
                Volatile.Write(ref _most, Math.Max(Volatile.Read(ref _most), holders));
                Interlocked.Increment(ref _samples);
                Thread.Sleep(100);
            }
        });
    }

    /// <summary>The most balancers that held the VIP at once.</summary>
    public int Most => Volatile.Read(ref _most);

    public int Samples => Volatile.Read(ref _samples);

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
