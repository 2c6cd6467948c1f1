using Fusis.Core.Api;
using System.Globalization;
using System.Text;
using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Api;

/// <summary>
/// /metrics in the Prometheus text format (version 0.0.4): the kernel's counters and rates of every service and
/// destination, read at scrape time, and the engine's own counters. Written directly: the kernel owns these
/// counters (ipvsadm -Z resets them), which a client library's own counters cannot mirror.
/// </summary>
internal static class MetricsWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(DesiredState state, IIpvsKernel kernel, EngineCounters counters)
    {
        var names = state.Services.ToDictionary(s => s.Key);
        var text = new StringBuilder();
        var services = kernel.GetServices();
        var rows = services.Select(s => (Service: s, Owned: names.GetValueOrDefault(s.Key), Destinations: kernel.GetDestinations(s.Key))).ToList();

        Family(text, "fusis_services", "gauge", "Virtual services in the kernel, by whether Fusis owns them.");
        Sample(text, "fusis_services", [("managed", "true")], rows.Count(r => r.Owned is not null));
        Sample(text, "fusis_services", [("managed", "false")], rows.Count(r => r.Owned is null));

        ServiceFamily(text, rows, "fusis_service_connections_total", "counter", "Connections scheduled.", s => s.Connections);
        ServiceFamily(text, rows, "fusis_service_packets_in_total", "counter", "Packets in.", s => s.IncomingPackets);
        ServiceFamily(text, rows, "fusis_service_packets_out_total", "counter", "Packets out.", s => s.OutgoingPackets);
        ServiceFamily(text, rows, "fusis_service_bytes_in_total", "counter", "Bytes in.", s => s.IncomingBytes);
        ServiceFamily(text, rows, "fusis_service_bytes_out_total", "counter", "Bytes out.", s => s.OutgoingBytes);
        ServiceFamily(text, rows, "fusis_service_connections_per_second", "gauge", "The kernel's connection rate estimate.", s => s.ConnectionsPerSecond);
        ServiceFamily(text, rows, "fusis_service_bytes_in_per_second", "gauge", "The kernel's inbound byte rate estimate.", s => s.IncomingBytesPerSecond);
        ServiceFamily(text, rows, "fusis_service_bytes_out_per_second", "gauge", "The kernel's outbound byte rate estimate.", s => s.OutgoingBytesPerSecond);

        DestinationFamily(text, rows, "fusis_destination_weight", "gauge", "Scheduling weight (0: drained).", d => (ulong)d.Weight);
        DestinationFamily(text, rows, "fusis_destination_active_connections", "gauge", "Active connections.", d => d.ActiveConnections);
        DestinationFamily(text, rows, "fusis_destination_inactive_connections", "gauge", "Inactive connections.", d => d.InactiveConnections);
        DestinationFamily(text, rows, "fusis_destination_persistent_connections", "gauge", "Persistence templates.", d => d.PersistentConnections);
        DestinationFamily(text, rows, "fusis_destination_connections_total", "counter", "Connections scheduled.", d => d.Statistics?.Connections ?? 0);
        DestinationFamily(text, rows, "fusis_destination_packets_in_total", "counter", "Packets in.", d => d.Statistics?.IncomingPackets ?? 0);
        DestinationFamily(text, rows, "fusis_destination_packets_out_total", "counter", "Packets out.", d => d.Statistics?.OutgoingPackets ?? 0);
        DestinationFamily(text, rows, "fusis_destination_bytes_in_total", "counter", "Bytes in.", d => d.Statistics?.IncomingBytes ?? 0);
        DestinationFamily(text, rows, "fusis_destination_bytes_out_total", "counter", "Bytes out.", d => d.Statistics?.OutgoingBytes ?? 0);

        Single(text, "fusis_reconciles_total", "counter", "Full reconciles run.", counters.Reconciles);
        Single(text, "fusis_reconcile_duration_seconds_total", "counter", "Time spent in full reconciles.", counters.ReconcileTime.TotalSeconds);
        Single(text, "fusis_reconcile_last_duration_seconds", "gauge", "Duration of the last full reconcile.", counters.LastReconcileTime.TotalSeconds);
        Single(text, "fusis_store_writes_total", "counter", "Desired-state saves.", counters.StoreWrites);
        Single(text, "fusis_kernel_writes_total", "counter", "Kernel operations applied.", counters.KernelWrites);
        Single(text, "fusis_kernel_refusals_total", "counter", "Kernel operations the kernel refused.", counters.KernelRefusals);
        return text.ToString();
    }

    private static void ServiceFamily(
        StringBuilder text, IEnumerable<(IpvsService Service, DesiredService? Owned, IReadOnlyList<IpvsDestination> Destinations)> rows,
        string name, string type, string help, Func<IpvsStatistics, ulong> value)
    {
        Family(text, name, type, help);
        foreach (var row in rows)
        {
            Sample(text, name, ServiceLabels(row.Service, row.Owned), value(row.Service.Statistics ?? Zero));
        }
    }

    private static void DestinationFamily(
        StringBuilder text, IEnumerable<(IpvsService Service, DesiredService? Owned, IReadOnlyList<IpvsDestination> Destinations)> rows,
        string name, string type, string help, Func<IpvsDestination, ulong> value)
    {
        Family(text, name, type, help);
        foreach (var row in rows)
        {
            foreach (IpvsDestination destination in row.Destinations)
            {
                Sample(text, name, [.. ServiceLabels(row.Service, row.Owned), ("destination", ResourceMapper.Id(destination))], value(destination));
            }
        }
    }

    private static (string, string)[] ServiceLabels(IpvsService service, DesiredService? owned) =>
        [("service", owned?.Name ?? string.Empty), ("vip", service.Key.ToString())];

    private static readonly IpvsStatistics Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

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

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
