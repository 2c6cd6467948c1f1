using System.Text;
using System.Text.Json;
using Fusis.Etcd;

namespace Fusis.Core.Cluster;

/// <summary>
/// One leader among a cluster's balancers, elected through etcd: the leader key is created only where it is absent,
/// attached to the candidate's lease, so it disappears when the leader stops renewing. The leader renews twice per third
/// of the lease and steps down (<see cref="RoleChanged"/>, which drops its VIPs) once a third of the lease is left
/// without a renewal: before etcd can expire the key and another balancer can take it, so two balancers never hold
/// the VIPs. A standby tries to take the key a few times a second. It does not take it back from a leader that holds it.
/// One exception keeps the VIPs up when etcd itself is down: a leader whose every peer answers that it cannot reach
/// etcd either (<see cref="NobodyElseCanLead"/>) keeps leading, since nobody can take the key, and checks again every
/// quarter second; the first peer that reaches etcd again, or does not answer, makes it step down. A leader that stepped
/// down only for want of etcd (the peers' answers came too late, or a peer reached etcd for a moment) takes the VIPs
/// back on the same answers (<see cref="TakeBackIfNobodyElseCanLead"/>), so an etcd outage that starts while the leader
/// is late renewing does not leave the VIPs unheld for all of it.
/// </summary>
public sealed class LeaderElection : IDisposable
{
    // How often a leader holding the VIPs without etcd checks whether a peer could lead after all.
    private static readonly TimeSpan HoldingRecheck = TimeSpan.FromMilliseconds(250);

    private readonly EtcdConnection _etcd;
    private readonly ClusterKeys _keys;
    private readonly TimeProvider _time;
    private readonly TimeSpan _requestedTtl;
    private readonly Lock _gate = new();
    private readonly ITimer _watchdog;
    private readonly string? _api;

    private EtcdLease? _lease;
    private int _steps;
    private long _renewedAt;
    private TimeSpan _validFor;
    private long _answeredAt;
    private bool _lastRoundFailed;
    private long _noCampaignUntil;
    private long _termLeftWithoutEtcd;

    public LeaderElection(EtcdConnection etcd, ClusterKeys keys, string node, TimeSpan leaseTtl, string? api = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(node);
        _api = api;
        _etcd = etcd;
        _keys = keys;
        Node = node;
        _requestedTtl = leaseTtl;
        _time = time ?? TimeProvider.System;
        _watchdog = _time.CreateTimer(_ => StepDownIfLate(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Node { get; }

    public ClusterRole Role { get; private set; } = ClusterRole.Standby;

    /// <summary>The leader as last seen (this node when it leads); null: none seen.</summary>
    public string? Leader { get; private set; }

    /// <summary>The leader key's create revision while this node leads (fences its writes); 0 otherwise.</summary>
    public long Term { get; private set; }

    /// <summary>
    /// Whether etcd answers: the last round of requests was answered, within the last third of the lease (a round
    /// stuck in a request counts as unanswered once it has taken that long).
    /// </summary>
    public bool EtcdReachable => !_lastRoundFailed && Interlocked.Read(ref _answeredAt) is var at and not 0 && _time.GetElapsedTime(at) < Third;

    /// <summary>How long ago etcd last answered one of the election's requests (<see cref="TimeSpan.MaxValue"/>: never).</summary>
    public TimeSpan SinceEtcdAnswered => Interlocked.Read(ref _answeredAt) is var at and not 0 ? _time.GetElapsedTime(at) : TimeSpan.MaxValue;

    /// <summary>
    /// Told a leader that it cannot reach etcd: it does not try to take the leadership for <paramref name="period"/>,
    /// so a leader keeping the VIPs on that answer is never joined by it.
    /// </summary>
    public void PromiseNotToCampaign(TimeSpan period) =>
        Interlocked.Exchange(ref _noCampaignUntil, _time.GetTimestamp() + (long)(period.TotalSeconds * _time.TimestampFrequency));

    /// <summary>The lease's time to live as etcd granted it (it may round the asked one up).</summary>
    public TimeSpan LeaseTtl => _lease?.Ttl ?? _requestedTtl;

    /// <summary>How long ago the lease was last renewed (or granted).</summary>
    public TimeSpan SinceRenewal
    {
        get
        {
            lock (_gate)
            {
                return _time.GetElapsedTime(_renewedAt);
            }
        }
    }

    /// <summary>How long the lease is known to last from now (0: no lease).</summary>
    public TimeSpan LeaseRemaining
    {
        get
        {
            lock (_gate)
            {
                return _lease is null ? TimeSpan.Zero : Max(TimeSpan.Zero, _validFor - _time.GetElapsedTime(_renewedAt));
            }
        }
    }

    public ClusterFailover? LastFailover { get; private set; }

    /// <summary>The other balancers etcd last listed, with their API addresses (empty when they gave none).</summary>
    public IReadOnlyList<ClusterPeer> Peers { get; private set; } = [];

    /// <summary>True while this leader keeps the VIPs because no balancer can reach etcd.</summary>
    public bool HoldingWithoutEtcd { get; private set; }

    /// <summary>
    /// True while this standby stepped down only because it could not reach etcd and has not reached it since: its key
    /// may still be its own, so it may lead again without etcd when nobody else can (<see cref="TakeBackIfNobodyElseCanLead"/>).
    /// </summary>
    public bool SteppedDownWithoutEtcd => Interlocked.Read(ref _termLeftWithoutEtcd) != 0;

    /// <summary>
    /// Whether no other balancer could take the leadership now: true only when every one has lately answered that it
    /// cannot reach etcd. Called at the step-down deadline, so it must not wait on the network (the asking happens
    /// elsewhere, beforehand). None set: a leader that cannot renew always steps down.
    /// </summary>
    public Func<bool>? NobodyElseCanLead { get; set; }

    public long Failovers { get; private set; }

    /// <summary>
    /// This node's role changed. Called on the election's own thread (or its watchdog's) before it goes on, so a
    /// leader that steps down has dropped its VIPs when the handler returns.
    /// </summary>
    public event Action<ClusterRoleChange>? RoleChanged;

    private TimeSpan Third => TimeSpan.FromTicks(LeaseTtl.Ticks / 3);

    /// <summary>Campaigns and renews until cancelled; then resigns (the leader key goes at once, not after the lease).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _answeredAt, _time.GetTimestamp());
                _lastRoundFailed = false;
                // A leader renews twice per third, counted from its last renewal rather than from the end of a round
                // (a round is three requests, each slow on a loaded host), so one slow round trip does not bring it near
                // its deadline.
                await Task.Delay(Role == ClusterRole.Leader
                    ? Max(TimeSpan.FromMilliseconds(50), Third / 2 - SinceRenewal)
                    : TimeSpan.FromMilliseconds(Math.Min(250, Third.TotalMilliseconds)), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is EtcdException or OperationCanceledException)
            {
                // Out of reach: the watchdog steps a leader down in time; try again shortly.
                _lastRoundFailed = true;
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, CancellationToken.None).ConfigureAwait(false);
            }
        }

        Resign("the balancer is stopping");
    }

    public void Dispose() => _watchdog.Dispose();

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        if (_lease is null)
        {
            long asked = _time.GetTimestamp();
            EtcdLease lease = _etcd.GrantLease(_requestedTtl);
            Renewed(lease, asked, lease.Ttl);
            _etcd.Txn([], [EtcdWrite.Put(_keys.Node(Node), JsonSerializer.SerializeToUtf8Bytes(
                new ClusterNodeDocument { Api = _api }, ClusterJsonContext.Default.ClusterNodeDocument), lease.Id)]);
        }
        else if ((Role == ClusterRole.Leader || _time.GetElapsedTime(_renewedAt) >= Third / 2) && !await RenewAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (_steps++ % 4 == 0)
        {
            Peers = _etcd.Range(_keys.Nodes).Items
                .Where(kv => kv.Key != _keys.Node(Node))
                .Select(kv => new ClusterPeer(kv.Key[_keys.Nodes.Length..], ReadNode(kv.Value)?.Api))
                .ToList();
        }

        if (Role == ClusterRole.Leader)
        {
            EtcdTxnResult held = _etcd.Txn([EtcdCompare.CreatedAt(_keys.Leader, Term)], [], [_keys.Leader]);
            if (!held.Succeeded)
            {
                lock (_gate)
                {
                    StepDown("another balancer holds the leader key");
                }
            }

            return;
        }

        if (_time.GetTimestamp() < Interlocked.Read(ref _noCampaignUntil))
        {
            return;
        }

        EtcdTxnResult campaign = _etcd.Txn(
            [EtcdCompare.CreatedAt(_keys.Leader, 0)],
            [EtcdWrite.Put(_keys.Leader, Encoding.UTF8.GetBytes(Node), _lease!.Id)],
            [_keys.Leader, _keys.Failover]);
        if (campaign.Succeeded)
        {
            await BecomeLeaderAsync(campaign.Revision, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (EtcdKeyValue item in campaign.ReadOnFailure)
        {
            if (item.Key == _keys.Leader && item.Lease == _lease.Id)
            {
                // Its own key, on a lease renewed again before it expired (it stepped down while etcd was out of
                // reach): nobody else could take it meanwhile, so it leads again rather than leave the VIPs unheld.
                await BecomeLeaderAsync(item.CreateRevision, "it reached etcd again before its lease expired", cancellationToken).ConfigureAwait(false);
                return;
            }

            if (item.Key == _keys.Leader)
            {
                Leader = Encoding.UTF8.GetString(item.Value.Span);
            }
            else if (item.Key == _keys.Failover && Read(item.Value) is { } failover && failover != LastFailover)
            {
                LastFailover = failover;
            }
        }
    }

    // Renews the lease once; false (and no lease) when it had expired.
    private async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        long sent = _time.GetTimestamp();
        TimeSpan? left = await _etcd.KeepAliveAsync(_lease!.Id, cancellationToken).ConfigureAwait(false);
        if (left is null)
        {
            lock (_gate)
            {
                _lease = null;
                _termLeftWithoutEtcd = 0;
                StepDown("its lease expired before it was renewed");
            }

            return false;
        }

        Renewed(_lease, sent, left.Value);
        return true;
    }

    // A regained key (reason given) is no failover; a key won is one, reported in etcd for every balancer.
    private async Task BecomeLeaderAsync(long term, string? regained, CancellationToken cancellationToken)
    {
        // A fresh renewal first: it leads for a whole lease, not what was left of it when the key was won.
        if (!await RenewAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        string? previous = Leader;
        var failover = new ClusterFailover(
            _time.GetUtcNow(),
            previous == Node ? null : previous,
            Node,
            previous is null || previous == Node ? "there was no leader" : $"the lease of {previous} expired (it stopped renewing it or lost etcd)");
        lock (_gate)
        {
            Role = ClusterRole.Leader;
            Leader = Node;
            Term = term;
            _termLeftWithoutEtcd = 0;
            if (regained is null)
            {
                LastFailover = failover;
                Failovers++;
            }

            Arm();
        }

        RoleChanged?.Invoke(new ClusterRoleChange(ClusterRole.Leader, regained ?? failover.Reason));
        if (regained is not null)
        {
            return;
        }

        try
        {
            byte[] document = JsonSerializer.SerializeToUtf8Bytes(
                new ClusterFailoverDocument { At = failover.At, From = failover.From, To = failover.To, Reason = failover.Reason },
                ClusterJsonContext.Default.ClusterFailoverDocument);
            _etcd.Txn([EtcdCompare.CreatedAt(_keys.Leader, term)], [EtcdWrite.Put(_keys.Failover, document)]);
        }
        catch (EtcdException)
        {
            // Only the report of it; this node leads all the same.
        }
    }

    private void Renewed(EtcdLease lease, long sentAt, TimeSpan validFor)
    {
        lock (_gate)
        {
            // From when the renewal was sent: etcd counts from when it got it, which is later, so this errs early.
            _lease = lease;
            _renewedAt = sentAt;
            _validFor = validFor;
            // It reaches etcd again: its campaign now finds out whether the key is still its own.
            _termLeftWithoutEtcd = 0;
            if (Role == ClusterRole.Leader)
            {
                if (HoldingWithoutEtcd)
                {
                    HoldingWithoutEtcd = false;
                    RoleChanged?.Invoke(new ClusterRoleChange(ClusterRole.Leader, "it reaches etcd again and renewed its lease"));
                }

                Arm();
            }
        }
    }

    // The watchdog fires when a third of the lease is left: a leader whose loop is stuck in a request still steps down.
    private void Arm() => _watchdog.Change(Max(TimeSpan.Zero, _validFor - Third - _time.GetElapsedTime(_renewedAt)), Timeout.InfiniteTimeSpan);

    private void StepDownIfLate()
    {
        lock (_gate)
        {
            if (Role != ClusterRole.Leader)
            {
                return;
            }

            if (!HoldingWithoutEtcd && _time.GetElapsedTime(_renewedAt) < _validFor - Third)
            {
                Arm(); // a timer may fire a little early
                return;
            }

            if (NobodyElseCanLead is { } nobody && nobody())
            {
                if (!HoldingWithoutEtcd)
                {
                    HoldingWithoutEtcd = true;
                    RoleChanged?.Invoke(new ClusterRoleChange(ClusterRole.Leader, "no balancer reaches etcd, so nobody else can lead: it keeps the VIPs and keeps asking"));
                }

                _watchdog.Change(HoldingRecheck, Timeout.InfiniteTimeSpan);
                return;
            }

            long term = Term;
            StepDown(HoldingWithoutEtcd
                ? "a peer reaches etcd again (or no longer answers) while this leader cannot"
                : $"it could not renew its lease with etcd for {_time.GetElapsedTime(_renewedAt).TotalSeconds:0.0} s");
            _termLeftWithoutEtcd = term;
        }
    }

    /// <summary>
    /// Leads again, without etcd, when this standby stepped down only for want of etcd and every peer has lately
    /// answered that it cannot reach etcd either (<see cref="NobodyElseCanLead"/>): nobody can have taken its key, and
    /// those peers have promised not to campaign meanwhile. It then holds the VIPs as a leader that kept them would.
    /// </summary>
    public void TakeBackIfNobodyElseCanLead()
    {
        lock (_gate)
        {
            if (Role != ClusterRole.Standby || _termLeftWithoutEtcd == 0 || NobodyElseCanLead is not { } nobody || !nobody())
            {
                return;
            }

            Role = ClusterRole.Leader;
            Leader = Node;
            Term = _termLeftWithoutEtcd;
            _termLeftWithoutEtcd = 0;
            HoldingWithoutEtcd = true;
            _watchdog.Change(HoldingRecheck, Timeout.InfiniteTimeSpan);
            RoleChanged?.Invoke(new ClusterRoleChange(ClusterRole.Leader, "no balancer reaches etcd, so nobody else can lead: it takes the VIPs back and keeps asking"));
        }
    }

    // Called under the gate.
    private void StepDown(string reason)
    {
        if (Role != ClusterRole.Leader)
        {
            return;
        }

        Role = ClusterRole.Standby;
        HoldingWithoutEtcd = false;
        _termLeftWithoutEtcd = 0;
        Term = 0;
        Leader = null;
        _watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        RoleChanged?.Invoke(new ClusterRoleChange(ClusterRole.Standby, reason));
    }

    private void Resign(string reason)
    {
        lock (_gate)
        {
            StepDown(reason);
        }

        if (_lease is { } lease)
        {
            try
            {
                _etcd.RevokeLease(lease.Id);
            }
            catch (EtcdException)
            {
                // It expires by itself.
            }
        }
    }

    private static ClusterNodeDocument? ReadNode(ReadOnlyMemory<byte> value)
    {
        try
        {
            return JsonSerializer.Deserialize(value.Span, ClusterJsonContext.Default.ClusterNodeDocument);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ClusterFailover? Read(ReadOnlyMemory<byte> value)
    {
        try
        {
            return JsonSerializer.Deserialize(value.Span, ClusterJsonContext.Default.ClusterFailoverDocument) is { To: { } to } document
                ? new ClusterFailover(document.At, document.From, to, document.Reason ?? "")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
