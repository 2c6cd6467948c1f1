using Fusis.Core.Cluster;
using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Etcd;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// A clustered balancer's link to etcd: it runs the election (the leader holds the VIPs and runs the master IPVS sync
/// daemon; every balancer runs a backup one), and follows the shared desired state with a watch that resumes from
/// the last revision it applied, so this host's kernel converges to every change any balancer makes. Losing etcd
/// changes nothing here but the role: forwarding goes on with the table as it is.
/// </summary>
internal sealed partial class ClusterService(
    BalancerEngine engine, ClusterNode node, NetworkService network, BalancerOptions options, ILogger<ClusterService> logger) : BackgroundService
{
    private readonly LeaderElection _election = node.Election!;
    private readonly EtcdDesiredStateStore _store = node.Store!;
    private readonly EtcdConnection _etcd = node.Etcd!;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _election.RoleChanged += OnRoleChanged;
        _store.Problem += problem => LogStoreProblem(logger, problem);
        SetSyncDaemon(IpvsSyncDaemonState.Backup, run: true);
        LogJoined(logger, node.Name, _etcd.Description, _store.Keys.Prefix, _election.LeaseTtl.TotalSeconds);
        Task election = _election.RunAsync(stoppingToken);
        Task quorum = node.Quorum!.RunAsync(_election, stoppingToken);
        Task follow = FollowAsync(stoppingToken);
        Task leaders = WatchLeaderAsync(stoppingToken);

        // Each runs until the balancer stops. One that ends before then failed, and a balancer without its election
        // or its follower must not go on looking healthy: it stops, saying why, and its supervisor restarts it.
        Task ended = await Task.WhenAny(election, quorum, follow).ConfigureAwait(false);
        if (!stoppingToken.IsCancellationRequested)
        {
            string loop = ended == election ? "election" : ended == quorum ? "peer quorum" : "shared-state follower";
            LogLoopEnded(logger, loop, ended.Exception?.GetBaseException().ToString() ?? "it returned");
            Environment.ExitCode = BalancerHost.UnavailableExitCode;
            throw new InvalidOperationException($"the cluster's {loop} stopped", ended.Exception?.GetBaseException());
        }

        try
        {
            await Task.WhenAll(election, quorum, follow, leaders).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FollowAsync(CancellationToken stoppingToken)
    {
        bool reachable = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // After any break the whole state is read again (which also proves etcd answers), then watched from there.
                if (!reachable || !_store.Current)
                {
                    await engine.AdoptAsync(_store.Load).ConfigureAwait(false);
                    if (!_store.Current)
                    {
                        throw new EtcdUnavailableException("the shared state could not be read");
                    }

                    if (!reachable)
                    {
                        LogReachable(logger, _etcd.Description);
                        reachable = true;
                    }

                    LogResynced(logger, _store.Revision);
                }

                await foreach (EtcdWatchBatch batch in _etcd.WatchAsync(_store.Keys.State, _store.Revision + 1, stoppingToken).ConfigureAwait(false))
                {
                    EtcdWatchBatch taken = batch;
                    EngineChange? change = await engine.AdoptAsync(() => _store.Apply(taken)).ConfigureAwait(false);
                    if (change is { Plan.Count: > 0 })
                    {
                        LogAdopted(logger, taken.Revision, change.Plan.Count, change.Results.Count(r => !r.Succeeded));
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (EtcdCompactedException e)
            {
                LogCompacted(logger, e.Message);
                await engine.AdoptAsync(_store.Load).ConfigureAwait(false);
            }
            catch (Exception e) when (e is EtcdException or DesiredStateException or NetlinkException)
            {
                if (reachable)
                {
                    LogUnreachable(logger, _etcd.Description, e.Message);
                    reachable = false;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // Another balancer taking the lead, as this one sees it, is an event (this one's own role changes are events of their own).
    private async Task WatchLeaderAsync(CancellationToken stoppingToken)
    {
        string? seen = null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (_election.Leader is { } leader && leader != seen)
            {
                if (leader != node.Name)
                {
                    engine.Events.Append(Core.Events.FusisEventType.LeaderChanged, null, null, leader, seen is null ? $"{leader} leads" : $"{leader} leads, after {seen}");
                }

                seen = leader;
            }
        }
    }

    // On the election's thread, before it goes on: a leader that steps down has no VIP when this returns.
    private void OnRoleChanged(ClusterRoleChange change)
    {
        string role = Core.Vocabulary.Words.ClusterRoles.Word(change.Role);
        LogRole(logger, node.Name, role, change.Reason);
        engine.Events.Append(Core.Events.FusisEventType.LeaderChanged, null, null, node.Name, $"{node.Name} is now {role}: {change.Reason}");
        _store.LeaderTerm = _election.Term;
        network.ConvergeNow();
        SetSyncDaemon(IpvsSyncDaemonState.Master, run: change.Role == ClusterRole.Leader);
    }

    private void SetSyncDaemon(IpvsSyncDaemonState state, bool run)
    {
        if (options.SyncInterface is not { } name)
        {
            return;
        }

        try
        {
            using IpvsClient ipvs = IpvsClient.Open();
            bool running = ipvs.GetSyncDaemons().Any(d => d.State == state);
            if (run && !running)
            {
                ipvs.StartSyncDaemon(new IpvsSyncDaemon { State = state, Interface = name, SyncId = options.SyncId });
            }
            else if (!run && running)
            {
                ipvs.StopSyncDaemon(state);
            }
        }
        catch (NetlinkException e)
        {
            LogSyncFailed(logger, state.ToString().ToLowerInvariant(), name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "cluster: the {Loop} stopped ({Problem}); the balancer stops")]
    private static partial void LogLoopEnded(ILogger logger, string loop, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: {Node} joined through etcd {Endpoints} (prefix {Prefix}, lease {Ttl} s)")]
    private static partial void LogJoined(ILogger logger, string node, string endpoints, string prefix, double ttl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: {Node} is now {Role}: {Reason}")]
    private static partial void LogRole(ILogger logger, string node, string role, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: read the shared state at etcd revision {Revision}")]
    private static partial void LogResynced(ILogger logger, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: applied the shared state of etcd revision {Revision}: {Operations} kernel operations, {Refused} refused")]
    private static partial void LogAdopted(ILogger logger, long revision, int operations, int refused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: etcd {Endpoints} is out of reach ({Problem}); forwarding goes on with the table as it is, writes are refused")]
    private static partial void LogUnreachable(ILogger logger, string endpoints, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: etcd {Endpoints} answers again")]
    private static partial void LogReachable(ILogger logger, string endpoints);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: {Problem}; reading the whole shared state again")]
    private static partial void LogCompacted(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: {Problem}")]
    private static partial void LogStoreProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: cannot run the {State} IPVS sync daemon on {Interface}: {Problem}")]
    private static partial void LogSyncFailed(ILogger logger, string state, string @interface, string problem);
}
