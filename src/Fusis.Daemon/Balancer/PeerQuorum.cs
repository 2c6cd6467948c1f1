using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Fusis.Core.Cluster;
using Fusis.Core.Model;
using Fusis.Core.Vocabulary;
using Fusis.Daemon.Api;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// Whether any other balancer could lead, asked over their read-only GET /cluster while this leader is late renewing
/// its lease (or has stepped down for want of etcd): it keeps, or takes back, the VIPs only when every peer answered,
/// lately, that it is a standby without etcd. The asking runs in the background (<see cref="RunAsync"/>), so the
/// election's deadline only reads the last answers. In anycast it also asks, while this balancer cannot reach etcd,
/// whether any other can: one that cannot reach etcd withdraws its VIPs only while another, with the current state,
/// serves them; when none reaches etcd they all keep forwarding.
/// </summary>
/// <param name="token">The cluster's bearer token (every balancer has the same), which reads beyond loopback need.</param>
/// <param name="anycast">Whether to ask, while etcd is out of reach, if any other balancer reaches it.</param>
internal sealed class PeerQuorum(string? token, bool anycast = false)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) });

    // How recent the last unanimous answer must be to count (from when it was asked): long enough for a round on a
    // slow host, short enough that a peer which reaches a restarted etcd is heard before its lease there can expire.
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private long _confirmedAt;
    private long _nobodyReachesEtcdAt;

    /// <summary>For <see cref="LeaderElection.NobodyElseCanLead"/>: every peer said, lately, that it cannot lead.</summary>
    public bool NobodyElseCanLead() =>
        Interlocked.Read(ref _confirmedAt) is var at and not 0 && Stopwatch.GetElapsedTime(at) < Fresh;

    /// <summary>Anycast: every peer said, lately, that it cannot reach etcd either.</summary>
    public bool NobodyElseReachesEtcd() =>
        Interlocked.Read(ref _nobodyReachesEtcdAt) is var at and not 0 && Stopwatch.GetElapsedTime(at) < Fresh;

    /// <summary>Asks the peers every quarter second while <paramref name="election"/> leads and is late renewing (and in anycast while it cannot reach etcd).</summary>
    public async Task RunAsync(LeaderElection election, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            // Asking starts once a renewal is overdue (they come every sixth of the lease), and goes on for a leader
            // that stepped down for want of etcd, which may take the VIPs back on the same answers.
            if (anycast && !election.EtcdReachable)
            {
                long askedEtcd = Stopwatch.GetTimestamp();
                bool nobody = await AskAsync(election.Peers, peer => !peer.EtcdReachable, cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _nobodyReachesEtcdAt, nobody ? askedEtcd : 0);
            }
            else
            {
                Interlocked.Exchange(ref _nobodyReachesEtcdAt, 0);
            }

            bool leaderLate = election.Role == ClusterRole.Leader && (election.HoldingWithoutEtcd || election.SinceRenewal >= election.LeaseTtl / 4);
            if (!leaderLate && !election.SteppedDownWithoutEtcd)
            {
                Interlocked.Exchange(ref _confirmedAt, 0);
                continue;
            }

            long asked = Stopwatch.GetTimestamp();
            bool unanimous = await AskAsync(election.Peers, CannotLead, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _confirmedAt, unanimous ? asked : 0);
            if (unanimous)
            {
                election.TakeBackIfNobodyElseCanLead();
            }
        }
    }

    // A peer that is a standby without etcd.
    private static bool CannotLead(FusisCluster peer) => !peer.EtcdReachable && peer.Role == Words.ClusterRoles.Word(ClusterRole.Standby);

    // Whether every peer answered, within a second and a half, what satisfies the question.
    private async Task<bool> AskAsync(IReadOnlyList<ClusterPeer> peers, Func<FusisCluster, bool> question, CancellationToken cancellationToken)
    {
        if (peers.Any(p => p.Api is null))
        {
            return false;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(1.5));
        try
        {
            return (await Task.WhenAll(peers.Select(p => AnswerAsync(p.Api!, question, deadline.Token))).ConfigureAwait(false)).All(a => a);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<bool> AnswerAsync(string api, Func<FusisCluster, bool> question, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(api), "/cluster"));
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using HttpResponseMessage response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        // The same type the peer wrote its answer from, so no property name is spelled twice.
        FusisCluster? cluster = await response.Content.ReadFromJsonAsync<FusisCluster>(ApiJson.Options, cancellationToken).ConfigureAwait(false);
        return cluster is not null && question(cluster);
    }
}
