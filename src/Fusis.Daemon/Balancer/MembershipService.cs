using System.Diagnostics;
using System.Text;
using Fusis.Core.Engine;
using Fusis.Core.Membership;
using Fusis.Core.State;
using Fusis.Serf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// Serf membership → destinations. Subscribes to member events and re-reads the member list on each (and every
/// resync interval: events are coalesced and can be lost), applying the result as one engine change; sweeps
/// drained destinations every second; answers agents' drain queries; publishes the VIPs in its tags.
/// </summary>
internal sealed partial class MembershipService(
    BalancerEngine engine, BalancerOptions options, ClusterView cluster, ClusterNode node, ILogger<MembershipService> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly MembershipPolicy _policy = new() { DrainTimeout = options.DrainTimeout, OnFailed = options.OnFailed };
    private string? _publishedVips;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SerfClientOptions serfOptions = SerfClientOptions.FromAddress(options.SerfRpc!, options.SerfAuthKey);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using SerfClient serf = await SerfClient.ConnectAsync(serfOptions, stoppingToken).ConfigureAwait(false);
                await serf.SetTagsAsync(new Dictionary<string, string> { [AgentTags.Role] = AgentTags.BalancerRole }, cancellationToken: stoppingToken)
                    .ConfigureAwait(false);
                await using SerfSubscription<SerfEvent> events = await serf.StreamAsync(
                    $"member-join,member-leave,member-failed,member-update,member-reap,query:{AgentTags.DrainQuery}", stoppingToken).ConfigureAwait(false);
                LogConnected(logger, options.SerfRpc!);
                await FollowAsync(serf, events, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when ((e is SerfException or IOException or System.Net.Sockets.SocketException) && !stoppingToken.IsCancellationRequested)
            {
                LogSerfUnavailable(logger, options.SerfRpc!, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task FollowAsync(SerfClient serf, SerfSubscription<SerfEvent> events, CancellationToken stoppingToken)
    {
        var sinceSync = Stopwatch.StartNew();
        await SyncAsync(serf, "start", stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(Tick);
            bool records;
            try
            {
                records = await events.Records.WaitToReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                records = false;
            }

            string? reason = null;
            while (events.Records.TryRead(out SerfEvent? record))
            {
                switch (record)
                {
                    case SerfQueryEvent { Name: AgentTags.DrainQuery } query:
                        string node = Encoding.UTF8.GetString(query.Payload.Span);
                        await events.RespondAsync(query.Id, Encoding.UTF8.GetBytes(MembershipPlanner.RoutedTo(engine.Current, node).ToString(
                            System.Globalization.CultureInfo.InvariantCulture)), stoppingToken).ConfigureAwait(false);
                        break;
                    case SerfMemberEvent changed:
                        reason = $"member-{changed.Type.ToString().ToLowerInvariant()} {string.Join(' ', changed.Members.Select(m => m.Name))}";
                        break;
                    case SerfStreamResumed:
                        reason = "stream resumed";
                        break;
                }
            }

            try
            {
                if (reason is not null || sinceSync.Elapsed >= options.ResyncInterval)
                {
                    await SyncAsync(serf, reason ?? "resync", stoppingToken).ConfigureAwait(false);
                    sinceSync.Restart();
                }
                else if (!records)
                {
                    await SweepAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is DesiredStateException or Netlink.NetlinkException)
            {
                // The state is left as it was; the next event or resync tries again.
                LogChangeFailed(logger, e.Message);
            }
        }
    }

    // Reads every member and applies membership and the drain sweep as one change.
    private async Task SyncAsync(SerfClient serf, string reason, CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ClusterMember> members = SerfMembers.ToCluster(await serf.MembersAsync(stoppingToken).ConfigureAwait(false));
        cluster.Members = members;
        if (node.Leads)
        {
            // Membership is decided once, by the leader; the other balancers apply its result from the shared state.
            EngineChange change = await engine.ChangeAsync((state, kernel) =>
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                return MembershipPlanner.Sweep(MembershipPlanner.Apply(state, members, _policy, now), key => kernel.GetDestinations(key), _policy, now);
            }, asLeader: true).ConfigureAwait(false);
            Report(change, reason, clock.Elapsed);
        }

        await PublishVipsAsync(serf, stoppingToken).ConfigureAwait(false);
    }

    private async Task SweepAsync()
    {
        if (!node.Leads || !engine.Current.Services.Any(s => s.Labels.Values.Any(l => l.Draining)))
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        EngineChange change = await engine.ChangeAsync((state, kernel) =>
            MembershipPlanner.Sweep(state, key => kernel.GetDestinations(key), _policy, DateTimeOffset.UtcNow), asLeader: true).ConfigureAwait(false);
        Report(change, "drain sweep", clock.Elapsed);
    }

    private void Report(EngineChange change, string reason, TimeSpan took)
    {
        if (change.Plan.Count > 0)
        {
            LogApplied(logger, reason, change.Plan.Count, took.TotalMilliseconds, string.Join("; ", change.Plan));
        }

        if (change.Refused is { } refused)
        {
            LogRefused(logger, refused.Operation.ToString(), refused.Error!.Message);
        }
    }

    // Agents configuring VIPs themselves (direct routing, tunnels) learn them from this tag.
    private async Task PublishVipsAsync(SerfClient serf, CancellationToken stoppingToken)
    {
        string vips = AgentTags.FormatVips(engine.Current.Services.Where(s => !s.Key.IsFirewallMark).Select(s => (s.Name, s.Key.Address)));
        if (vips == _publishedVips)
        {
            return;
        }

        try
        {
            await serf.SetTagsAsync(new Dictionary<string, string> { [AgentTags.Vips] = vips }, cancellationToken: stoppingToken).ConfigureAwait(false);
            _publishedVips = vips;
        }
        catch (SerfCommandException e)
        {
            LogVipsNotPublished(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "following Serf membership through {Address}")]
    private static partial void LogConnected(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the Serf agent at {Address} is not reachable ({Problem}); retrying")]
    private static partial void LogSerfUnavailable(ILogger logger, string address, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "membership ({Reason}): {Count} kernel operations in {Milliseconds:0.0} ms: {Operations}")]
    private static partial void LogApplied(ILogger logger, string reason, int count, double milliseconds, string operations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the kernel refused {Operation}: {Problem}; the change was undone")]
    private static partial void LogRefused(ILogger logger, string operation, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "membership change not applied: {Problem}")]
    private static partial void LogChangeFailed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the VIPs tag was not published: {Problem}")]
    private static partial void LogVipsNotPublished(ILogger logger, string problem);
}
