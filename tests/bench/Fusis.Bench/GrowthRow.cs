using System.Globalization;

namespace Fusis.Bench;

/// <summary>One size of <see cref="GrowthBenchmark"/>: every figure measured at <paramref name="Objects"/> objects.</summary>
internal sealed record GrowthRow(
    int Objects,
    TimeSpan CreateFusis,
    TimeSpan CreateIpvsadm,
    TimeSpan ReadFusis,
    TimeSpan ReadIpvsadm,
    TimeSpan StartToListening,
    TimeSpan NoOpReconcile,
    long NoOpWrites,
    double RssMegabytes,
    TimeSpan ChangeMedian,
    TimeSpan ChangeMax)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Objects} objects: create {CreateFusis.TotalSeconds:0.000} s (ipvsadm -R {CreateIpvsadm.TotalSeconds:0.000} s), read {ReadFusis.TotalSeconds:0.000} s (ipvsadm -Ln {ReadIpvsadm.TotalSeconds:0.000} s), " +
        $"daemon listening after {StartToListening.TotalSeconds:0.0} s, no-op reconcile {NoOpReconcile.TotalSeconds:0.000} s with {NoOpWrites} writes, RSS {RssMegabytes:0.0} MB, " +
        $"add destination median {ChangeMedian.TotalMilliseconds:0.0} ms (max {ChangeMax.TotalMilliseconds:0.0} ms)");
}
