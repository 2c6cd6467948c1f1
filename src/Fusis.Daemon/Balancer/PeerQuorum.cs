using System.Text.Json;
using Fusis.Core.Cluster;
using Fusis.Core.Vocabulary;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// Asks the other balancers, over their read-only GET /cluster, whether any of them could lead: a leader that cannot
/// renew its lease keeps the VIPs only when every peer answers, in time, that it is a standby without etcd.
/// </summary>
internal static class PeerQuorum
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) });

    public static bool NobodyElseCanLead(IReadOnlyList<ClusterPeer> peers, TimeSpan timeout)
    {
        if (peers.Any(p => p.Api is null))
        {
            return false;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            bool[] answers = Task.WhenAll(peers.Select(p => CannotLeadAsync(p.Api!, deadline.Token))).GetAwaiter().GetResult();
            return answers.All(a => a);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return false;
        }
    }

    private static async Task<bool> CannotLeadAsync(string api, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri(new Uri(api), "/cluster"), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        using JsonDocument cluster = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        JsonElement root = cluster.RootElement;
        return root.TryGetProperty("EtcdReachable", out JsonElement reachable) && reachable.ValueKind == JsonValueKind.False
            && root.TryGetProperty("Role", out JsonElement role) && role.GetString() == Words.ClusterRoles.Word(ClusterRole.Standby);
    }
}
