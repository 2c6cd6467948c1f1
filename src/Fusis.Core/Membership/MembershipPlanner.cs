using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Membership;

/// <summary>
/// Cluster membership → the destinations of owned services. Pure and idempotent: the same members give the same
/// state, so coalesced, repeated or lost Serf events are harmless and a periodic resync converges. Destinations
/// added by hand (no member label) are never touched.
/// </summary>
public static class MembershipPlanner
{
    /// <summary>
    /// Alive members announcing a service serve it; a member that drains, leaves, stops announcing it (or fails,
    /// when the policy says drain) has its destination drained (weight 0, deleted by <see cref="Sweep"/>); a failed
    /// member's destinations are removed (by default), and so are those of members no longer in the cluster, unless
    /// the list cannot tell who left (<paramref name="complete"/> false: the agent that gave it knows no member but the
    /// balancer, a restarted agent that has not joined yet): a member it does not list then keeps its destinations.
    /// </summary>
    public static DesiredState Apply(DesiredState state, IReadOnlyList<ClusterMember> members, MembershipPolicy policy, DateTimeOffset now, bool complete = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(policy);
        var byName = members.ToDictionary(m => m.Name, StringComparer.Ordinal);

        // Each member's tags are parsed once, and each service sees only the members announcing it (in the list's
        // order): planning costs the services and the announcements, not their product (1,000 agents each announcing
        // one of 2,000 services cost 3 s an event when every service asked every member). A service nobody announces
        // and with no member's destination stays as it is, for a look.
        var byService = new Dictionary<string, List<(ClusterMember Member, List<ServiceAnnouncement> Announced)>>(StringComparer.OrdinalIgnoreCase);
        foreach (ClusterMember member in members)
        {
            foreach (IGrouping<string, ServiceAnnouncement> service in member.Announcements.GroupBy(a => a.Service, StringComparer.OrdinalIgnoreCase))
            {
                if (!byService.TryGetValue(service.Key, out var announcing))
                {
                    byService[service.Key] = announcing = [];
                }

                announcing.Add((member, service.ToList()));
            }
        }

        return state with
        {
            Services = state.Services.Select(s => byService.TryGetValue(s.Name, out var announcing)
                ? ApplyTo(s, announcing, byName, policy, now, complete)
                : s.HasMemberDestination ? ApplyTo(s, [], byName, policy, now, complete) : s).ToList(),
        };
    }

    /// <summary>
    /// Deletes draining destinations whose drain time is up, and those with no active connections left once they
    /// have drained for the policy's minimum.
    /// </summary>
    public static DesiredState Sweep(
        DesiredState state, Func<IpvsServiceKey, IReadOnlyList<IpvsDestination>> kernelDestinations, MembershipPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(kernelDestinations);
        ArgumentNullException.ThrowIfNull(policy);
        return state with
        {
            Services = state.Services.Select(service =>
            {
                if (!service.HasDrainingDestination)
                {
                    return service;
                }

                var active = kernelDestinations(service.Key).ToDictionary(d => new IPEndPoint(d.Address, d.Port), d => d.ActiveConnections);
                var kept = service.Destinations.Where(d => service.LabelOf(d) is not { DrainUntil: { } until }
                    || (now < until && (active.GetValueOrDefault(new IPEndPoint(d.Address, d.Port)) > 0 || now < until - policy.DrainTimeout + policy.MinimumDrain)))
                    .ToList();
                return kept.Count == service.Destinations.Count ? service : service.WithDestinations(kept);
            }).ToList(),
        };
    }

    /// <summary>How many destinations still route to a member (what an agent's drain query asks).</summary>
    public static int RoutedTo(DesiredState state, string member)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Services.Sum(s => s.Labels.Values.Count(l => l.Member == member));
    }

    // The service's destinations from the members announcing it (each with its announcements of this service).
    private static DesiredService ApplyTo(
        DesiredService service, List<(ClusterMember Member, List<ServiceAnnouncement> Announced)> announcing, Dictionary<string, ClusterMember> byName,
        MembershipPolicy policy, DateTimeOffset now, bool complete)
    {
        var statics = service.Destinations.Where(d => service.LabelOf(d)?.Member is null).ToList();
        var taken = statics.Select(d => new IPEndPoint(d.Address, d.Port)).ToHashSet();
        var existing = service.Destinations
            .Where(d => service.LabelOf(d)?.Member is not null)
            .ToDictionary(d => new IPEndPoint(d.Address, d.Port), d => (Destination: d, Label: service.LabelOf(d)!));
        var next = new Dictionary<IPEndPoint, (IpvsDestination Destination, DestinationLabel Label)>();

        foreach ((ClusterMember member, List<ServiceAnnouncement> announced) in announcing)
        {
            foreach (ServiceAnnouncement announcement in announced)
            {
                // A member of the service's family (a dual-stack one by its other address); of the other family only through a tunnel.
                IpvsForwardingMethod method = announcement.Mode ?? service.DefaultForwardingMethod;
                IPAddress? address = member.AddressFor(service.Key.AddressFamily) ?? (method == IpvsForwardingMethod.Tunnel ? member.Address : null);
                if (address is null)
                {
                    continue;
                }

                var endPoint = new IPEndPoint(address, announcement.Port);
                if (taken.Contains(endPoint) || next.ContainsKey(endPoint))
                {
                    continue;
                }

                bool serving = member.State == MemberState.Alive && !member.Draining;
                bool draining = !serving && (member.State != MemberState.Failed || policy.OnFailed == FailedMemberAction.Drain);
                existing.TryGetValue(endPoint, out var current);
                if (serving)
                {
                    string name = announced.Count == 1 ? member.Name : $"{member.Name}-{announcement.Port}";
                    var destination = new IpvsDestination { Address = address, Port = announcement.Port, Weight = announcement.Weight, ForwardingMethod = method };
                    if (method == IpvsForwardingMethod.Tunnel)
                    {
                        destination = destination with
                        {
                            TunnelType = announcement.TunnelType,
                            TunnelPort = announcement.TunnelPort,
                            TunnelChecksum = announcement.TunnelChecksum,
                        };
                    }

                    next[endPoint] = (destination, new DestinationLabel(DesiredStateNames.IsValid(name) ? name : null, member.Name)
                    {
                        Down = current.Label?.Down ?? false,
                        Drained = current.Label?.Drained ?? false,
                    });
                }
                else if (draining && current.Destination is not null)
                {
                    next[endPoint] = (current.Destination, current.Label with { DrainUntil = current.Label.DrainUntil ?? now + policy.DrainTimeout });
                }
            }
        }

        // Destinations of members still in the cluster that no longer announce this service drain; those of members gone
        // are removed, unless the list cannot say who is gone.
        foreach ((IPEndPoint endPoint, var current) in existing)
        {
            if (!next.ContainsKey(endPoint) && !complete && !byName.ContainsKey(current.Label.Member!))
            {
                next[endPoint] = current;
            }
            else if (!next.ContainsKey(endPoint) && byName.TryGetValue(current.Label.Member!, out ClusterMember? member)
                && (member.State != MemberState.Failed || policy.OnFailed == FailedMemberAction.Drain)
                && !announcing.Any(a => ReferenceEquals(a.Member, member) && a.Announced.Any(x => x.Port == endPoint.Port)))
            {
                next[endPoint] = (current.Destination, current.Label with { DrainUntil = current.Label.DrainUntil ?? now + policy.DrainTimeout });
            }
        }

        // Names must stay unique within the service: a member name that a static destination already uses goes unnamed.
        var staticNames = statics.Select(d => service.LabelOf(d)?.Name).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var labels = service.Labels.Where(l => l.Value.Member is null).ToDictionary(l => l.Key, l => l.Value);
        foreach ((IPEndPoint endPoint, var entry) in next)
        {
            labels[endPoint] = entry.Label.Name is { } name && staticNames.Contains(name) ? entry.Label with { Name = null } : entry.Label;
        }

        // A stable order (members come in random order) keeps an unchanged cluster an unchanged state.
        var members = next.OrderBy(e => e.Key.Address.ToString(), StringComparer.Ordinal).ThenBy(e => e.Key.Port).Select(e => e.Value.Destination);
        DesiredService updated = service with { Destinations = [.. statics, .. members], Labels = labels };
        return updated == service ? service : updated;
    }
}
