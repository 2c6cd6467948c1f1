using System.Globalization;
using System.Text;
using Fusis.Core.Api;
using Fusis.Core.Cluster;
using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;
using Fusis.Daemon.Balancer;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Api;

/// <summary>
/// /metrics in the Prometheus text format (version 0.0.4): the kernel's counters and rates of every service and
/// destination, read at scrape time, the engine's own counters, and the process's memory. Written directly: the
/// kernel owns these counters (ipvsadm -Z resets them), which a client library's own counters cannot mirror.
/// </summary>
internal static class MetricsWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const int FlushBytes = 64 * 1024;

    private static readonly IpvsStatistics Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The kernel's table with owned names, read on the engine's loop.</summary>
    public static IReadOnlyList<Row> Read(DesiredState state, IIpvsKernel kernel)
    {
        var names = state.Services.ToDictionary(s => s.Key);
        return kernel.GetServices().Select(s => new Row(s, names.GetValueOrDefault(s.Key), kernel.GetDestinations(s.Key))).ToList();
    }

    /// <summary>Writes the exposition to <paramref name="body"/> in chunks: 2,000 x 10 destinations are 200,000 samples.</summary>
    public static async Task WriteAsync(IReadOnlyList<Row> rows, EngineCounters counters, ClusterNode node, BgpService? bgp, Stream body, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (int _ in Samples(text, rows, counters, node, bgp))
        {
            if (text.Length >= FlushBytes)
            {
                await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
                text.Clear();
            }
        }

        await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
    }

    // Appends every family to text, yielding after each sample so the caller can flush.
    private static IEnumerable<int> Samples(StringBuilder text, IReadOnlyList<Row> rows, EngineCounters counters, ClusterNode node, BgpService? bgp)
    {
        Family(text, "fusis_build_info", "gauge", "The balancer's version (always 1).");
        Sample(text, "fusis_build_info", [("version", Program.Version)], 1);
        Family(text, "fusis_services", "gauge", "Virtual services in the kernel, by whether Fusis owns them.");
        Sample(text, "fusis_services", [("managed", "true")], rows.Count(r => r.Owned is not null));
        Sample(text, "fusis_services", [("managed", "false")], rows.Count(r => r.Owned is null));

        IEnumerable<int>[] families =
        [
            ServiceFamily(text, rows, "fusis_service_connections_total", "counter", "Connections scheduled.", s => s.Connections),
            ServiceFamily(text, rows, "fusis_service_packets_in_total", "counter", "Packets in.", s => s.IncomingPackets),
            ServiceFamily(text, rows, "fusis_service_packets_out_total", "counter", "Packets out.", s => s.OutgoingPackets),
            ServiceFamily(text, rows, "fusis_service_bytes_in_total", "counter", "Bytes in.", s => s.IncomingBytes),
            ServiceFamily(text, rows, "fusis_service_bytes_out_total", "counter", "Bytes out.", s => s.OutgoingBytes),
            ServiceFamily(text, rows, "fusis_service_connections_per_second", "gauge", "The kernel's connection rate estimate.", s => s.ConnectionsPerSecond),
            ServiceFamily(text, rows, "fusis_service_bytes_in_per_second", "gauge", "The kernel's inbound byte rate estimate.", s => s.IncomingBytesPerSecond),
            ServiceFamily(text, rows, "fusis_service_bytes_out_per_second", "gauge", "The kernel's outbound byte rate estimate.", s => s.OutgoingBytesPerSecond),
            DestinationFamily(text, rows, "fusis_destination_weight", "gauge", "Scheduling weight (0: drained).", d => (ulong)d.Weight),
            DestinationFamily(text, rows, "fusis_destination_active_connections", "gauge", "Active connections.", d => d.ActiveConnections),
            DestinationFamily(text, rows, "fusis_destination_inactive_connections", "gauge", "Inactive connections.", d => d.InactiveConnections),
            DestinationFamily(text, rows, "fusis_destination_persistent_connections", "gauge", "Persistence templates.", d => d.PersistentConnections),
            DestinationFamily(text, rows, "fusis_destination_connections_total", "counter", "Connections scheduled.", d => d.Statistics?.Connections ?? 0),
            DestinationFamily(text, rows, "fusis_destination_packets_in_total", "counter", "Packets in.", d => d.Statistics?.IncomingPackets ?? 0),
            DestinationFamily(text, rows, "fusis_destination_packets_out_total", "counter", "Packets out.", d => d.Statistics?.OutgoingPackets ?? 0),
            DestinationFamily(text, rows, "fusis_destination_bytes_in_total", "counter", "Bytes in.", d => d.Statistics?.IncomingBytes ?? 0),
            DestinationFamily(text, rows, "fusis_destination_bytes_out_total", "counter", "Bytes out.", d => d.Statistics?.OutgoingBytes ?? 0),
        ];
        foreach (int sample in families.SelectMany(f => f).Concat(HealthFamily(text, rows)))
        {
            yield return sample;
        }

        Single(text, "fusis_reconciles_total", "counter", "Full reconciles run.", counters.Reconciles);
        Single(text, "fusis_reconcile_duration_seconds_total", "counter", "Time spent in full reconciles.", counters.ReconcileTime.TotalSeconds);
        Single(text, "fusis_reconcile_last_duration_seconds", "gauge", "Duration of the last full reconcile.", counters.LastReconcileTime.TotalSeconds);
        Single(text, "fusis_store_writes_total", "counter", "Desired-state saves.", counters.StoreWrites);
        Single(text, "fusis_kernel_writes_total", "counter", "Kernel operations applied.", counters.KernelWrites);
        Single(text, "fusis_kernel_refusals_total", "counter", "Kernel operations the kernel refused.", counters.KernelRefusals);
        if (node.Election is { } election)
        {
            Single(text, "fusis_cluster_leader", "gauge", "1 while this balancer is the cluster's leader (it holds the VIPs).", election.Role == ClusterRole.Leader ? 1 : 0);
            Family(text, "fusis_cluster_role", "gauge", "This balancer's role in the cluster (1 for the one it has).");
            foreach (ClusterRole role in Enum.GetValues<ClusterRole>())
            {
                Sample(text, "fusis_cluster_role", [("role", Words.ClusterRoles.Word(role))], election.Role == role ? 1 : 0);
            }

            Single(text, "fusis_cluster_failovers_total", "counter", "Times this balancer took the leadership over.", election.Failovers);
            Single(text, "fusis_cluster_etcd_reachable", "gauge", "1 while etcd answers the election's requests.", election.EtcdReachable ? 1 : 0);
            Single(text, "fusis_cluster_watch_revision", "gauge", "The etcd revision of the shared state this balancer has applied.", node.Store!.Revision);
            Single(text, "fusis_cluster_lease_remaining_seconds", "gauge", "How long this balancer's lease is known to last.", election.LeaseRemaining.TotalSeconds);
            Single(text, "fusis_cluster_conflicts_total", "counter", "Changes made again because another balancer changed the shared state first.", counters.Conflicts);
            Single(text, "fusis_cluster_adopted_total", "counter", "Shared-state changes of other balancers applied here.", counters.Adopted);
        }

        if (bgp is not null)
        {
            Bgp(text, bgp);
        }

        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        Single(text, "process_resident_memory_bytes", "gauge", "Resident memory of the balancer process.", Environment.WorkingSet);
        Single(text, "dotnet_gc_heap_bytes", "gauge", "Managed heap size after the last GC.", gc.HeapSizeBytes);
        Single(text, "dotnet_gc_committed_bytes", "gauge", "Memory the GC has committed.", gc.TotalCommittedBytes);
        yield return 0;
    }

    private static IEnumerable<int> ServiceFamily(StringBuilder text, IReadOnlyList<Row> rows, string name, string type, string help, Func<IpvsStatistics, ulong> value)
    {
        Family(text, name, type, help);
        foreach (Row row in rows)
        {
            Sample(text, name, ServiceLabels(row), value(row.Service.Statistics ?? Zero));
            yield return 0;
        }
    }

    private static IEnumerable<int> DestinationFamily(StringBuilder text, IReadOnlyList<Row> rows, string name, string type, string help, Func<IpvsDestination, ulong> value)
    {
        Family(text, name, type, help);
        foreach (Row row in rows)
        {
            foreach (IpvsDestination destination in row.Destinations)
            {
                Sample(text, name, [.. ServiceLabels(row), ("destination", ResourceMapper.Id(destination))], value(destination));
                yield return 0;
            }
        }
    }

    // Each owned destination's state, one sample per state (1 for the one it is in), as the status page shows it; a
    // destination its check took out of the kernel is here too.
    private static IEnumerable<int> HealthFamily(StringBuilder text, IReadOnlyList<Row> rows)
    {
        const string name = "fusis_destination_state";
        Family(text, name, "gauge", "1 for the state a destination is in: up, down (its health check holds it out) or draining.");
        foreach (Row row in rows.Where(r => r.Owned is not null))
        {
            foreach (IpvsDestination destination in row.Owned!.Destinations)
            {
                string state = Words.DestinationStates.Word(DestinationLabel.StateOf(row.Owned.LabelOf(destination)));
                foreach (string each in Words.DestinationStates.Words)
                {
                    Sample(text, name, [.. ServiceLabels(row), ("destination", ResourceMapper.Id(destination)), ("state", each)], each == state ? 1 : 0);
                }

                yield return 0;
            }
        }
    }

    private static (string, string)[] ServiceLabels(Row row) => [("service", row.Owned?.Name ?? string.Empty), ("vip", row.Service.Key.ToString())];

    // An anycast balancer's BGP sessions (as BIRD last reported them) and the VIPs it announces.
    private static void Bgp(StringBuilder text, BgpService bgp)
    {
        IReadOnlyList<Core.Model.FusisBgpSession> sessions = bgp.Sessions;
        (string, string)[] Labels(Core.Model.FusisBgpSession session) => [("session", session.Name), ("peer", session.Peer ?? string.Empty)];
        Family(text, "fusis_bgp_session_established", "gauge", "1 while the BGP session with the peer is established.");
        foreach (Core.Model.FusisBgpSession session in sessions)
        {
            Sample(text, "fusis_bgp_session_established", Labels(session), session.Established ? 1 : 0);
        }

        Family(text, "fusis_bgp_session_uptime_seconds", "gauge", "How long the BGP session has been established (0 while it is not).");
        foreach (Core.Model.FusisBgpSession session in sessions)
        {
            Sample(text, "fusis_bgp_session_uptime_seconds", Labels(session), session.Established && session.Since is { } since ? (DateTimeOffset.Now - since).TotalSeconds : 0);
        }

        Family(text, "fusis_bgp_session_announced_routes", "gauge", "The VIP routes announced to the peer.");
        foreach (Core.Model.FusisBgpSession session in sessions)
        {
            Sample(text, "fusis_bgp_session_announced_routes", Labels(session), session.Announced);
        }

        Family(text, "fusis_bgp_vip_announced", "gauge", "1 for each VIP this balancer announces over BGP.");
        foreach (System.Net.IPAddress vip in bgp.Announced)
        {
            Sample(text, "fusis_bgp_vip_announced", [("vip", vip.ToString())], 1);
        }

        Single(text, "fusis_bgp_draining", "gauge", "1 while this balancer drains (it announces no VIP).", bgp.Draining ? 1 : 0);
        Single(text, "fusis_bgp_daemon_reachable", "gauge", "1 while BIRD answers on its control socket.", bgp.Problem is null ? 1 : 0);
    }

    private static void Single(StringBuilder text, string name, string type, string help, double value)
    {
        Family(text, name, type, help);
        Sample(text, name, [], value);
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, (string Name, string Value)[] labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>One kernel service, its owner's desired service if Fusis owns it, and its destinations.</summary>
    internal sealed record Row(IpvsService Service, DesiredService? Owned, IReadOnlyList<IpvsDestination> Destinations);
}
