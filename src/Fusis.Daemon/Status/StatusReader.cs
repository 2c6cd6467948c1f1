using System.Net;
using Fusis.Core.Api;
using Fusis.Core.Cluster;
using Fusis.Core.Engine;
using Fusis.Core.Events;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;
using Fusis.Daemon.Balancer;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Status;

/// <summary>
/// Builds what the status page shows. Only the page's services are read from the kernel (two requests each), so a
/// page costs the same with 20 services or 20,000; the filter runs on the desired state in memory.
/// </summary>
internal sealed class StatusReader(BalancerEngine engine, ClusterNode node, ClusterView cluster, HealthResults health, BalancerOptions options)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;
    private const int RecentEvents = 50;

    private static readonly HashSet<string> StateEventTypes =
    [
        Words.EventTypes.Word(FusisEventType.DestinationUp), Words.EventTypes.Word(FusisEventType.DestinationDown),
        Words.EventTypes.Word(FusisEventType.DestinationDraining), Words.EventTypes.Word(FusisEventType.DestinationAdded),
    ];

    /// <param name="filter">Services whose name or VIP contains this (case ignored); none: all.</param>
    /// <param name="problems">Only services with a destination that is not up.</param>
    /// <param name="page">1-based.</param>
    /// <param name="size">Services per page.</param>
    public async Task<StatusResource> ReadAsync(string? filter, bool problems, int page, int size)
    {
        (IReadOnlyList<FusisEvent> events, _) = engine.Events.Read(0);
        // The last event that set each destination's state: its reason and its time.
        var why = new Dictionary<(string Service, string Destination), FusisEvent>();
        foreach (FusisEvent e in events.Where(e => e.Service is not null && e.Destination is not null && StateEventTypes.Contains(e.Type)))
        {
            why[(e.Service!.ToUpperInvariant(), e.Destination!)] = e;
        }

        (List<ServiceStatus> items, int total) = await engine.ReadAsync((state, kernel) =>
        {
            var matching = state.Services.Where(s => Matches(s, filter) && (!problems || s.Destinations.Any(d => DestinationLabel.StateOf(s.LabelOf(d)) != DestinationState.Up))).ToList();
            var shown = matching.Skip((page - 1) * size).Take(size).Select(s => Read(state, s, kernel, why)).ToList();
            return (shown, matching.Count);
        }).ConfigureAwait(false);

        LeaderElection? election = node.Election;
        return new StatusResource(
            node.Name,
            election is null ? "alone" : Words.ClusterRoles.Word(election.Role),
            election is null ? node.Name : election.Leader,
            Program.Version,
            options.SerfRpc is null ? null : cluster.SerfReachable,
            election?.EtcdReachable,
            filter,
            problems,
            total,
            page,
            Math.Max(1, (total + size - 1) / size),
            size,
            engine.Events.LastId,
            items,
            [.. events.TakeLast(RecentEvents).Reverse()]);
    }

    private ServiceStatus Read(DesiredState state, DesiredService service, IIpvsKernel kernel, Dictionary<(string, string), FusisEvent> why)
    {
        IpvsService? present = kernel.GetService(service.Key);
        var held = (present is null ? [] : kernel.GetDestinations(service.Key)).ToDictionary(d => new IPEndPoint(d.Address, d.Port));
        var destinations = service.Destinations.Select(d => Read(service, d, held.GetValueOrDefault(new IPEndPoint(d.Address, d.Port)), why)).ToList();
        IpvsStatistics? stats = present?.Statistics;
        IpvsServiceKey key = service.Key;
        return new ServiceStatus(
            service.Name,
            key.IsFirewallMark ? $"fwm {key.FirewallMark}" : new IPEndPoint(key.Address, key.Port).ToString(),
            Words.Protocol(key),
            service.Service.Scheduler,
            Words.ForwardingMethods.Word(service.DefaultForwardingMethod),
            state.SnatOf(service).ToString(),
            service.Check is { } check ? $"{Words.CheckTypes.Word(check.Type)} every {Durations.Format(check.Interval)}, fall {check.Fall}, rise {check.Rise}" : null,
            stats?.Connections ?? 0,
            stats?.ConnectionsPerSecond ?? 0,
            stats?.IncomingPacketsPerSecond ?? 0,
            stats?.OutgoingPacketsPerSecond ?? 0,
            stats?.IncomingBytesPerSecond ?? 0,
            stats?.OutgoingBytesPerSecond ?? 0,
            (uint)held.Values.Sum(d => d.ActiveConnections),
            (uint)held.Values.Sum(d => d.InactiveConnections),
            destinations.Count(d => d.State == Words.DestinationStates.Word(DestinationState.Up)),
            destinations.Count,
            destinations);
    }

    private DestinationStatus Read(DesiredService service, IpvsDestination destination, IpvsDestination? kernel, Dictionary<(string, string), FusisEvent> why)
    {
        DestinationLabel? label = service.LabelOf(destination);
        string id = ResourceMapper.Id(destination);
        DestinationState state = DestinationLabel.StateOf(label);
        FusisEvent? cause = why.GetValueOrDefault((service.Name.ToUpperInvariant(), id));
        HealthResult? probe = health.Last(service.Key, new IPEndPoint(destination.Address, destination.Port));
        string reason = cause?.Reason ?? (state, label) switch
        {
            (DestinationState.Down, _) => "its health check (before this balancer's recent events)",
            (DestinationState.Draining, { Drained: true }) => "drained by an operator",
            (DestinationState.Draining, _) => "its Serf member is leaving or failed",
            _ => string.Empty,
        };
        return new DestinationStatus(
            id,
            label?.Name,
            label?.Member,
            Words.DestinationStates.Word(state),
            reason,
            cause?.Time,
            label?.Drained ?? false,
            destination.Weight,
            kernel?.Weight,
            kernel?.ActiveConnections ?? 0,
            kernel?.InactiveConnections ?? 0,
            kernel?.Statistics?.Connections ?? 0,
            kernel?.Statistics?.ConnectionsPerSecond ?? 0,
            kernel?.Statistics?.IncomingBytesPerSecond ?? 0,
            kernel?.Statistics?.OutgoingBytesPerSecond ?? 0,
            probe?.Detail,
            probe?.Time);
    }

    private static bool Matches(DesiredService service, string? filter) =>
        string.IsNullOrEmpty(filter)
        || service.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)
        || (!service.Key.IsFirewallMark && new IPEndPoint(service.Key.Address, service.Key.Port).ToString().Contains(filter, StringComparison.OrdinalIgnoreCase));
}
