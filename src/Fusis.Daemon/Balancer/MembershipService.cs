using System.Diagnostics;
using System.Net;
using System.Text;
using Fusis.Core.Engine;
using Fusis.Core.Events;
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

    // Plans each event from what changed since the last plan.
    private readonly MembershipPlanner _planner = new(new MembershipPolicy { DrainTimeout = options.DrainTimeout, OnFailed = options.OnFailed });
    private string? _publishedVips;
    private DesiredState? _vipsTriedFor;

    // How many of the members last seen a new agent is joined to: a join exchanges the whole member state with each one
    // reached, so a few suffice, and a large cluster's reconnect does not make hundreds of joins.
    private const int RejoinPeers = 8;

    // Some of the other members the agent last listed alive ("address:port"), which a new agent is joined to.
    private IReadOnlyList<string> _knownPeers = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SerfClientOptions serfOptions = SerfClientOptions.FromAddress(options.SerfRpc!, options.SerfAuthKey);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using SerfClient serf = await SerfClient.ConnectAsync(serfOptions, stoppingToken).ConfigureAwait(false);
                await using SerfSubscription<SerfEvent> events = await serf.StreamAsync(
                    $"member-join,member-leave,member-failed,member-update,member-reap,query:{AgentTags.DrainQuery}", stoppingToken).ConfigureAwait(false);
                LogConnected(logger, options.SerfRpc!);
                cluster.SerfReachable = true;
                await FollowAsync(serf, events, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when ((e is SerfException or IOException or System.Net.Sockets.SocketException) && !stoppingToken.IsCancellationRequested)
            {
                cluster.SerfReachable = false;
                LogSerfUnavailable(logger, options.SerfRpc!, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task FollowAsync(SerfClient serf, SerfSubscription<SerfEvent> events, CancellationToken stoppingToken)
    {
        string self = (await serf.StatsAsync(stoppingToken).ConfigureAwait(false)).GetValueOrDefault("agent")?.GetValueOrDefault("name") ?? string.Empty;
        var sinceSync = Stopwatch.StartNew();
        await SyncAsync(serf, self, "start", stoppingToken, connected: true).ConfigureAwait(false);
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
            bool resumed = false;
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
                        Announce(changed);
                        break;
                    case SerfStreamResumed:
                        reason = "stream resumed";
                        resumed = true; // the client reconnected, perhaps to a new agent
                        break;
                }
            }

            try
            {
                if (reason is not null || sinceSync.Elapsed >= options.ResyncInterval)
                {
                    await SyncAsync(serf, self, reason ?? "resync", stoppingToken, connected: resumed).ConfigureAwait(false);
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

    // Reads every member and applies membership and the drain sweep as one change. On a new connection the agent may
    // be a new one (it restarted), without this balancer's tags: they are set again. One that knows nobody, or only the
    // members whose gossip reached it, would make the others' destinations go. So on a new connection, and whenever it
    // lists nobody but this balancer, it is first joined to the members the last list had alive (a join exchanges the
    // whole member state); and while it knows nobody, its list cannot tell who left, so no destination goes for want
    // of its member.
    private async Task SyncAsync(SerfClient serf, string self, string reason, CancellationToken stoppingToken, bool connected = false)
    {
        var clock = Stopwatch.StartNew();
        if (connected)
        {
            // A new agent has none of this balancer's tags.
            await serf.SetTagsAsync(new Dictionary<string, string> { [AgentTags.Role] = AgentTags.BalancerRole }, cancellationToken: stoppingToken)
                .ConfigureAwait(false);
            (_publishedVips, _vipsTriedFor) = (null, null);
        }

        IReadOnlyList<SerfMember> listed = await serf.MembersAsync(stoppingToken).ConfigureAwait(false);
        bool complete = listed.Any(m => m.Name != self);
        if ((connected || !complete) && _knownPeers.Count > 0)
        {
            try
            {
                int joined = await serf.JoinAsync(_knownPeers, cancellationToken: stoppingToken).ConfigureAwait(false);
                LogRejoined(logger, joined, _knownPeers.Count, complete ? "on a new connection" : "it knew no other member");
                listed = await serf.MembersAsync(stoppingToken).ConfigureAwait(false);
                complete = listed.Any(m => m.Name != self);
            }
            catch (SerfCommandException e)
            {
                LogRejoinFailed(logger, _knownPeers.Count, e.Message);
            }
        }

        if (complete)
        {
            _knownPeers = [.. listed.Where(m => m.Name != self && m.Status == SerfMemberStatus.Alive)
                .Select(m => new IPEndPoint(m.Address, m.Port).ToString()).Order(StringComparer.Ordinal).Take(RejoinPeers)];
        }

        IReadOnlyList<ClusterMember> members = SerfMembers.ToCluster(listed);
        cluster.Members = members;
        if (node.Leads)
        {
            // Membership is decided once, by the leader; the other balancers apply its result from the shared state. A new
            // connection's list is planned over every service.
            if (connected)
            {
                _planner.Forget();
            }

            EngineChange change = await engine.ChangeAsync((state, kernel) =>
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                return _planner.Sweep(_planner.Plan(state, members, now, complete), key => kernel.GetDestinations(key), now);
            }, asLeader: true, reason: reason switch
            {
                "start" => "Serf member list (the balancer started)",
                "resync" => "Serf member list (resync)",
                "stream resumed" => "Serf member list (reconnected)",
                _ => $"Serf {reason}",
            }).ConfigureAwait(false);
            Report(change, reason, clock.Elapsed);
        }

        await PublishVipsAsync(serf, stoppingToken).ConfigureAwait(false);
    }

    private async Task SweepAsync()
    {
        if (!node.Leads || !engine.Current.Services.Any(s => s.HasDrainingDestination))
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        EngineChange change = await engine.ChangeAsync((state, kernel) =>
            MembershipPlanner.Sweep(state, key => kernel.GetDestinations(key), _planner.Policy, DateTimeOffset.UtcNow), asLeader: true,
            reason: "drain finished (no active connections) or timed out").ConfigureAwait(false);
        Report(change, "drain sweep", clock.Elapsed);
    }

    // Joins, leaves and failures as events, each with the member's address.
    private void Announce(SerfMemberEvent changed)
    {
        FusisEventType? type = changed.Type switch
        {
            SerfMemberEventType.Join => FusisEventType.MemberJoined,
            SerfMemberEventType.Leave => FusisEventType.MemberLeft,
            SerfMemberEventType.Failed => FusisEventType.MemberFailed,
            _ => null,
        };
        foreach (SerfMember member in type is null ? [] : changed.Members)
        {
            engine.Events.Append(type!.Value, null, null, member.Name, $"Serf member-{changed.Type.ToString().ToLowerInvariant()} from {member.Address}");
        }
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
    // Tried once per set of names and keys (an in-place change that renames nothing keeps them): a refusal (too many
    // services for Serf's tag limit) is not tried again, nor the list made again, on every event.
    private async Task PublishVipsAsync(SerfClient serf, CancellationToken stoppingToken)
    {
        DesiredState state = engine.Current;
        if (_vipsTriedFor is { } tried && DesiredState.InPlaceChanges(tried, state) is { } changed
            && changed.All(at => string.Equals(state.Services[at].Name, tried.Services[at].Name, StringComparison.Ordinal)))
        {
            _vipsTriedFor = state;
            return;
        }

        _vipsTriedFor = state;
        string vips = AgentTags.FormatVips(state.Services.Where(s => !s.Key.IsFirewallMark).Select(s => (s.Name, s.Key.Address)));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "the Serf agent was joined to {Joined} of {Known} members it last listed alive ({Why})")]
    private static partial void LogRejoined(ILogger logger, int joined, int known, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "joining the Serf agent to {Known} of the members it last listed alive failed ({Problem}); while it knows no other member, no destination goes for want of its member")]
    private static partial void LogRejoinFailed(ILogger logger, int known, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the VIPs tag was not published: {Problem}")]
    private static partial void LogVipsNotPublished(ILogger logger, string problem);
}
