using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Membership;

/// <summary>
/// Cluster membership → the destinations of owned services. Pure in its result and idempotent: the same members give
/// the same state, so coalesced, repeated or lost Serf events are harmless and a periodic resync converges.
/// Destinations added by hand (no member label) are never touched. An instance remembers its last plan, so that the
/// next one looks only at what changed since (the members that joined, left or changed, and the services that differ
/// from what it planned): an event costs what it touches, not the size of the table.
/// </summary>
public sealed class MembershipPlanner(MembershipPolicy policy)
{
    /// <summary>How membership changes become destination changes, for every plan and sweep of this planner.</summary>
    public MembershipPolicy Policy { get; } = policy ?? throw new ArgumentNullException(nameof(policy));

    // What the last plan saw: its members by name, whether their list was complete, the state it returned, the members
    // announcing each service, and the services each member had destinations in (a superset: a service renamed or
    // emptied since only costs a look).
    private Dictionary<string, PlannedMember>? _members;
    private bool _complete;
    private DesiredState? _planned;
    private readonly Dictionary<string, List<PlannedMember>> _announcing = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, HashSet<string>> _servedBy = new(StringComparer.Ordinal);

    // The services (by name) the last plans left with a draining destination: only plans drain, so a sweep after a plan
    // need look nowhere else.
    private readonly HashSet<string> _draining = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Alive members announcing a service serve it; a member that drains, leaves, stops announcing it (or fails,
    /// when the policy says drain) has its destination drained (weight 0, deleted by a sweep); a failed
    /// member's destinations are removed (by default), and so are those of members no longer in the cluster, unless
    /// the list cannot tell who left (<paramref name="complete"/> false: the agent that gave it knows no member but the
    /// balancer, a restarted agent that has not joined yet): a member it does not list then keeps its destinations.
    /// Where two members announce the same endpoint, one serving wins, then the first by name.
    /// </summary>
    public static DesiredState Apply(DesiredState state, IReadOnlyList<ClusterMember> members, MembershipPolicy policy, DateTimeOffset now, bool complete = true) =>
        new MembershipPlanner(policy).Plan(state, members, now, complete);

    /// <summary>
    /// As <see cref="Apply"/>, looking only at the services the members' changes since the last plan touch, and at
    /// those that differ from what it planned (edited since, or a plan the engine refused). It looks at every service
    /// on its first plan, after <see cref="Forget"/>, when the list's completeness changes, and when services were
    /// added, removed or moved since.
    /// </summary>
    public DesiredState Plan(DesiredState state, IReadOnlyList<ClusterMember> members, DateTimeOffset now, bool complete = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(members);
        try
        {
            return PlanFromMemory(state, members, now, complete);
        }
        catch
        {
            // A plan cut short leaves its memory half updated: the next one looks at everything.
            Forget();
            throw;
        }
    }

    private DesiredState PlanFromMemory(DesiredState state, IReadOnlyList<ClusterMember> members, DateTimeOffset now, bool complete)
    {
        Dictionary<string, PlannedMember>? previous = _members;
        var current = new Dictionary<string, PlannedMember>(members.Count, StringComparer.Ordinal);
        foreach (ClusterMember member in members)
        {
            current[member.Name] = previous is not null && previous.TryGetValue(member.Name, out PlannedMember? known) && known.Same(member)
                ? known : new PlannedMember(member);
        }

        IReadOnlyList<int>? edited = previous is null || _planned is null || complete != _complete ? null : DesiredState.InPlaceChanges(_planned, state);
        (_members, _complete) = (current, complete);
        IEnumerable<int> positions;
        var left = new List<string>();
        if (edited is null)
        {
            // Every service: the announcing members and the members' services afresh.
            _announcing.Clear();
            _servedBy.Clear();
            _draining.Clear();
            foreach (PlannedMember member in current.Values)
            {
                Announce(member);
            }

            positions = Enumerable.Range(0, state.Services.Count);
        }
        else
        {
            var touched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (PlannedMember member in current.Values)
            {
                if (!previous!.TryGetValue(member.Name, out PlannedMember? was) || !ReferenceEquals(was, member))
                {
                    Touch(was, touched);
                    Touch(member, touched);
                    Announce(member);
                }
            }

            foreach (PlannedMember gone in previous!.Values.Where(m => !current.ContainsKey(m.Name)))
            {
                Touch(gone, touched);
                left.Add(gone.Name);
            }

            positions = edited.Concat(touched.Select(state.PositionOf).Where(at => at >= 0)).Distinct();
        }

        var replacements = new Dictionary<int, DesiredService>();
        foreach (int at in positions)
        {
            DesiredService service = state.Services[at];
            if (!_announcing.TryGetValue(service.Name, out List<PlannedMember>? announcing) && !service.HasMemberDestination)
            {
                continue;
            }

            DesiredService planned = ApplyTo(service, announcing ?? [], current, now, complete);
            if (planned.HasDrainingDestination)
            {
                _draining.Add(planned.Name);
            }

            foreach (DestinationLabel label in planned.Labels.Values)
            {
                if (label.Member is { } name)
                {
                    (_servedBy.TryGetValue(name, out HashSet<string>? served) ? served : _servedBy[name] = new(StringComparer.OrdinalIgnoreCase)).Add(planned.Name);
                }
            }

            if (!ReferenceEquals(planned, service))
            {
                replacements[at] = planned;
            }
        }

        _planned = state.Replacing(replacements);

        // A member gone whose destinations went with it is forgotten (members come and go under new names for ever).
        foreach (string name in left)
        {
            if (_servedBy.TryGetValue(name, out HashSet<string>? served))
            {
                served.RemoveWhere(service => _planned.Find(service) is not { } s || !s.Labels.Values.Any(l => l.Member == name));
                if (served.Count == 0)
                {
                    _servedBy.Remove(name);
                }
            }
        }

        return _planned;
    }

    /// <summary>
    /// <see cref="Sweep(DesiredState, Func{IpvsServiceKey, IReadOnlyList{IpvsDestination}}, MembershipPolicy, DateTimeOffset)"/>
    /// of the services the last plans left draining, for a state <see cref="Plan"/> just returned.
    /// </summary>
    public DesiredState Sweep(DesiredState planned, Func<IpvsServiceKey, IReadOnlyList<IpvsDestination>> kernelDestinations, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(kernelDestinations);
        _draining.RemoveWhere(name => planned.Find(name) is not { HasDrainingDestination: true });
        return Sweep(planned, _draining.Select(planned.PositionOf), kernelDestinations, Policy, now);
    }

    /// <summary>The next <see cref="Plan"/> looks at every service (a new connection: the members may be another agent's view).</summary>
    public void Forget() => _members = null;

    // A member changed: the services it announced and announces are looked at, and those it has destinations in; it
    // no longer counts among their announcers (its new self is announced again by the caller).
    private void Touch(PlannedMember? member, HashSet<string> touched)
    {
        if (member is null)
        {
            return;
        }

        foreach (ServiceAnnouncement announcement in member.Announcements)
        {
            touched.Add(announcement.Service);
            if (_announcing.TryGetValue(announcement.Service, out List<PlannedMember>? announcing))
            {
                announcing.RemoveAll(m => m.Name == member.Name);
            }
        }

        if (_servedBy.TryGetValue(member.Name, out HashSet<string>? served))
        {
            touched.UnionWith(served);
        }
    }

    private void Announce(PlannedMember member)
    {
        foreach (string service in member.Announcements.Select(a => a.Service).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            (_announcing.TryGetValue(service, out List<PlannedMember>? announcing) ? announcing : _announcing[service] = []).Add(member);
        }
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
        return Sweep(state, Enumerable.Range(0, state.Services.Count), kernelDestinations, policy, now);
    }

    private static DesiredState Sweep(
        DesiredState state, IEnumerable<int> positions, Func<IpvsServiceKey, IReadOnlyList<IpvsDestination>> kernelDestinations, MembershipPolicy policy, DateTimeOffset now)
    {
        var replacements = new Dictionary<int, DesiredService>();
        foreach (int at in positions)
        {
            DesiredService service = state.Services[at];
            if (!service.HasDrainingDestination)
            {
                continue;
            }

            var active = kernelDestinations(service.Key).ToDictionary(d => new IPEndPoint(d.Address, d.Port), d => d.ActiveConnections);
            var kept = service.Destinations.Where(d => service.LabelOf(d) is not { DrainUntil: { } until }
                || (now < until && (active.GetValueOrDefault(new IPEndPoint(d.Address, d.Port)) > 0 || now < until - policy.DrainTimeout + policy.MinimumDrain)))
                .ToList();
            if (kept.Count != service.Destinations.Count)
            {
                replacements[at] = service.WithDestinations(kept);
            }
        }

        return state.Replacing(replacements);
    }

    /// <summary>How many destinations still route to a member (what an agent's drain query asks).</summary>
    public static int RoutedTo(DesiredState state, string member)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Services.Sum(s => s.Labels.Values.Count(l => l.Member == member));
    }

    // The service's destinations from the members announcing it: those serving first, then by name, so that the result
    // does not depend on the order members are listed in.
    private DesiredService ApplyTo(
        DesiredService service, List<PlannedMember> announcing, Dictionary<string, PlannedMember> byName, DateTimeOffset now, bool complete)
    {
        MembershipPolicy policy = Policy;
        var statics = service.Destinations.Where(d => service.LabelOf(d)?.Member is null).ToList();
        var taken = statics.Select(d => new IPEndPoint(d.Address, d.Port)).ToHashSet();
        var existing = service.Destinations
            .Where(d => service.LabelOf(d)?.Member is not null)
            .ToDictionary(d => new IPEndPoint(d.Address, d.Port), d => (Destination: d, Label: service.LabelOf(d)!));
        var next = new Dictionary<IPEndPoint, (IpvsDestination Destination, DestinationLabel Label)>();

        foreach (PlannedMember planned in announcing.OrderBy(m => m.Serving ? 0 : 1).ThenBy(m => m.Name, StringComparer.Ordinal))
        {
            ClusterMember member = planned.Member;
            var announced = planned.Announcements.Where(a => string.Equals(a.Service, service.Name, StringComparison.OrdinalIgnoreCase)).ToList();
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

                bool serving = planned.Serving;
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
            else if (!next.ContainsKey(endPoint) && byName.TryGetValue(current.Label.Member!, out PlannedMember? member)
                && (member.Member.State != MemberState.Failed || policy.OnFailed == FailedMemberAction.Drain)
                && !(announcing.Contains(member) && member.Announcements.Any(a => a.Port == endPoint.Port && string.Equals(a.Service, service.Name, StringComparison.OrdinalIgnoreCase))))
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
