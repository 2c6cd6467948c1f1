using System.Net;
using Fusis.Core.Api;
using Fusis.Core.Backends;
using Fusis.Core.Cluster;
using Fusis.Core.Engine;
using Fusis.Core.Membership;
using Fusis.Core.Model;
using Fusis.Core.Operations;
using Fusis.Core.Vocabulary;
using Fusis.Daemon.Balancer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Routing;

namespace Fusis.Daemon.Api;

/// <summary>
/// The whole HTTP API: error handling, unknown routes and methods, the token check, the service routes, /members, /health,
/// /cluster, /metrics, /events, the status page and /openapi.json.
/// </summary>
internal static class BalancerApi
{
    public static void UseBalancerApi(this WebApplication app, BalancerEngine engine, byte[]? tokenHash, BalancerOptions options)
    {
        app.UseMiddleware<ApiErrorMiddleware>();
        app.Use(RouteRefusals.InvokeAsync);
        app.Use(next => new BearerTokenMiddleware(next, tokenHash, options.AnonymousReads).InvokeAsync);
        var backend = new EngineBackend(engine, new OperationContext(options.VipRange is { } range ? IPNetwork.Parse(range) : null), "this balancer");
        app.MapServiceRoutes(backend, new ApiBody(options.MaxBodyBytes));

        ClusterView cluster = app.Services.GetRequiredService<ClusterView>();
        app.MapRead("/members", () => Results.Json(
            cluster.Members.Select(m => new MemberResource(
                m.Name, m.Address.ToString(), m.State.ToString().ToLowerInvariant(), m.Draining,
                m.Announcements.Select(a => $"{a.Service}:{a.Port}").ToList(), MembershipPlanner.RoutedTo(engine.Current, m.Name))).ToList(),
            ApiJson.Options)).Describe<List<MemberResource>>("The Serf members as the balancer last read them, with how many destinations route to each");

        app.MapRead("/health", async () => Results.Json(await engine.ReadAsync((state, kernel) =>
        {
            var owned = state.Services.Select(s => s.Key).ToHashSet();
            var info = kernel.GetInfo();
            return new HealthResource(
                "ok",
                info.Version.ToString(),
                info.ConnectionTableSize,
                state.Services.Count,
                kernel.GetServices().Where(s => !owned.Contains(s.Key)).Select(s => s.Key.ToString()).ToList(),
                engine.Counters.Reconciles);
        }).ConfigureAwait(false), ApiJson.Options)).Describe<HealthResource>("The balancer is up: the kernel's IPVS version, the owned services, the kernel services it leaves alone");

        ClusterNode node = app.Services.GetRequiredService<ClusterNode>();
        BgpService? bgp = app.Services.GetService<BgpService>();
        app.MapRead("/cluster", () => Results.Json(ReadCluster(node, bgp), ApiJson.Options))
            .Describe<FusisCluster>("This balancer's cluster: its role, the leader, the nodes, etcd, the lease, the last failover, and in anycast its BGP sessions and announced VIPs");
        app.MapPost("/cluster/drain", async (CancellationToken cancellation) =>
        {
            await AnycastOnly(bgp).DrainAsync(cancellation).ConfigureAwait(false);
            return Results.Json(ReadCluster(node, bgp), ApiJson.Options);
        }).Describe<FusisCluster>("Drains this anycast balancer: it withdraws every VIP over BGP and goes on forwarding what still reaches it");
        app.MapDelete("/cluster/drain", async (CancellationToken cancellation) =>
        {
            await AnycastOnly(bgp).ResumeAsync(cancellation).ConfigureAwait(false);
            return Results.Json(ReadCluster(node, bgp), ApiJson.Options);
        }).Describe<FusisCluster>("Ends the drain of this anycast balancer: it announces again the VIPs it can serve");

        app.MapRead("/metrics", async (HttpContext context) =>
        {
            var rows = await engine.ReadAsync(MetricsWriter.Read).ConfigureAwait(false);
            context.Response.ContentType = MetricsWriter.ContentType;
            await MetricsWriter.WriteAsync(rows, engine.Counters, node, bgp, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }).Describe("Prometheus metrics: services and destinations (kernel counters, health), the engine, the cluster, build info", StatusCodes.Status200OK, MetricsWriter.ContentType);

        app.MapEventRoutes(engine.Events, app.Services.GetRequiredService<IHostApplicationLifetime>());
        Status.StatusRoutes.MapStatusRoutes(app, app.Services.GetRequiredService<Status.StatusReader>());
        app.MapOpenApi("/openapi.json").WithMetadata(new HttpMethodMetadata(["GET"]));
    }

    // Only an anycast balancer announces, so only one drains; 409: the route exists, this balancer is not in that mode.
    private static BgpService AnycastOnly(BgpService? bgp) =>
        bgp ?? throw new ApiException(StatusCodes.Status409Conflict, "only an anycast balancer (ClusterMode anycast) drains: a leader-mode standby holds no VIP, and a leader hands them over when it stops");

    private static FusisCluster ReadCluster(ClusterNode node, BgpService? bgp)
    {
        if (node.Election is not { } election)
        {
            return FusisCluster.Alone(node.Name);
        }

        // From what the election last saw, never a request to etcd: a leader asks this while etcd is down, and may keep
        // its VIPs on a standby's "no etcd" for a while (PeerQuorum), which that standby then honours.
        IReadOnlyList<string> nodes = [node.Name, .. election.Peers.Select(p => p.Name)];
        bool reachable = election.EtcdReachable;
        if (!reachable && election.Role == ClusterRole.Standby)
        {
            election.PromiseNotToCampaign(PeerQuorum.Fresh + TimeSpan.FromSeconds(1));
        }

        return new FusisCluster(
            node.Name, Words.ClusterRoles.Word(election.Role), election.Leader, nodes.Order(StringComparer.Ordinal).ToList(), node.Etcd!.Description, reachable, election.HoldingWithoutEtcd,
            node.Store!.Revision, election.LeaseTtl.TotalSeconds, election.LeaseRemaining.TotalSeconds, election.LastFailover, election.Failovers)
        {
            Mode = Words.ClusterModes.Word(node.Mode),
            Announced = bgp is null ? [] : [.. bgp.Announced.Select(a => a.ToString())],
            Draining = bgp?.Draining ?? false,
            BgpSessions = bgp?.Sessions ?? [],
            BgpProblem = bgp?.Problem,
        };
    }
}
