using Fusis.Core.Engine;
using Fusis.Core.Reconcile;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// The engine's timer: a full reconcile every interval, so drift made behind the balancer's back is repaired
/// (the first one runs before the API listens: see <see cref="BalancerHost"/>).
/// </summary>
internal sealed partial class ReconcileLoop(BalancerEngine engine, BalancerOptions options, ILogger<ReconcileLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReconcileInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await ReconcileAsync(engine, logger).ConfigureAwait(false);
        }
    }

    /// <summary>One full reconcile, its repairs and refusals logged; a failure is logged and left to the next one.</summary>
    public static async Task ReconcileAsync(BalancerEngine engine, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(engine);
        try
        {
            ReconcileResult result = await engine.ReconcileAsync().ConfigureAwait(false);
            int refused = result.Results.Count(OperationOutcome.Refused);
            if (result.Results.Count > 0)
            {
                LogRepaired(logger, result.Results.Count - refused, refused, string.Join("; ", result.Plan));
            }

            foreach (var failure in result.Results.Where(OperationOutcome.Refused))
            {
                LogRefused(logger, failure.Operation.ToString(), failure.Error!.Message);
            }

            if (result.NatRewritten)
            {
                LogNatRewritten(logger);
            }

            if (result.NatProblem is { } problem)
            {
                LogFailed(logger, problem);
            }
        }
        catch (Exception e) when (e is Netlink.NetlinkException or Core.State.DesiredStateException)
        {
            LogFailed(logger, e.Message);
        }

        // A full reconcile reads the whole table; what it read lives long enough (a dump takes a while) to reach
        // gen 2, where it would sit until the GC gets round to it. Collect it now, while it is known to be garbage.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "reconcile applied {Applied} kernel operations ({Refused} refused): {Operations}")]
    private static partial void LogRepaired(ILogger logger, int applied, int refused, string operations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the kernel refused {Operation}: {Problem}; the next reconcile retries it")]
    private static partial void LogRefused(ILogger logger, string operation, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "reconcile rewrote the SNAT tables (ip fusis, ip6 fusis): they were missing, had changed, or were not written yet")]
    private static partial void LogNatRewritten(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "reconcile failed: {Problem}")]
    private static partial void LogFailed(ILogger logger, string problem);
}
