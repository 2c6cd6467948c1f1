using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>
/// What Fusis wants the kernel to hold. <see cref="Services"/> are owned; <see cref="Retired"/> are keys Fusis
/// owned and still has to delete from the kernel (kept until a reconcile confirms they are gone). Every other
/// kernel service is someone else's and is never touched.
/// </summary>
public sealed record DesiredState(IReadOnlyList<DesiredService> Services, IReadOnlyList<IpvsServiceKey> Retired)
{
    public static DesiredState Empty { get; } = new([], []);

    /// <summary>The SNAT of NAT-mode services that set none (off or masquerade; the balancer's --snat).</summary>
    public SnatSetting DefaultSnat { get; init; } = SnatSetting.Off;

    /// <summary>The SNAT in force for <paramref name="service"/>: its own, else the default (firewall-mark services have none).</summary>
    public SnatSetting SnatOf(DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Snat ?? (service.Key.IsFirewallMark ? SnatSetting.Off : DefaultSnat);
    }

    // Where each key's service stands: built at most once per list of services, and handed on to a state that lists the
    // same keys in the same places (an in-place change, see InPlaceChanges), so a change finds its services at the same
    // cost at any size. A reference (Tuple), so that threads reading a snapshot see it whole or not at all.
    private Tuple<IReadOnlyList<DesiredService>, Dictionary<IpvsServiceKey, int>>? _positions;

    public DesiredService? Find(string name) =>
        Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The service of <paramref name="key"/>, or null.</summary>
    public DesiredService? Find(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Positions.TryGetValue(key, out int at) ? Services[at] : null;
    }

    /// <summary>Only the services and retired keys among <paramref name="keys"/>, in their order.</summary>
    public DesiredState Subset(IReadOnlySet<IpvsServiceKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        List<DesiredService> services = keys.Count * 8 < Services.Count
            ? [.. keys.Select(k => Positions.TryGetValue(k, out int at) ? at : -1).Where(at => at >= 0).Order().Select(at => Services[at])]
            : [.. Services.Where(s => keys.Contains(s.Key))];
        return new DesiredState(services, Retired.Where(keys.Contains).ToList()) { DefaultSnat = DefaultSnat };
    }

    private Dictionary<IpvsServiceKey, int> Positions
    {
        get
        {
            if (_positions is { } known && ReferenceEquals(known.Item1, Services))
            {
                return known.Item2;
            }

            var positions = new Dictionary<IpvsServiceKey, int>(Services.Count);
            for (int index = 0; index < Services.Count; index++)
            {
                positions.TryAdd(Services[index].Key, index); // a key twice is an invalid state: the first stands
            }

            _positions = Tuple.Create(Services, positions);
            return positions;
        }
    }

    /// <summary>The keys whose desired service differs between the two states (added, changed, removed or retired).</summary>
    public static IReadOnlySet<IpvsServiceKey> Changed(DesiredState before, DesiredState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changed = new HashSet<IpvsServiceKey>();
        if (InPlaceChanges(before, after) is { } positions)
        {
            changed.UnionWith(positions.Select(i => after.Services[i].Key));
            changed.UnionWith(after.Retired.Except(before.Retired));
            return changed;
        }

        var old = before.Services.ToDictionary(s => s.Key);
        foreach (DesiredService service in after.Services)
        {
            if (!old.Remove(service.Key, out DesiredService? previous) || previous != service)
            {
                changed.Add(service.Key);
            }
        }

        changed.UnionWith(old.Keys);
        changed.UnionWith(after.Retired.Except(before.Retired));
        return changed;
    }

    /// <summary>This state without the retired keys a reconcile found gone from the kernel.</summary>
    public DesiredState Forget(IReadOnlyCollection<IpvsServiceKey> gone)
    {
        ArgumentNullException.ThrowIfNull(gone);
        return gone.Count == 0 ? this : this with { Retired = Retired.Where(k => !gone.Contains(k)).ToList() };
    }

    /// <summary>Every problem of the whole state at once, so a bad change is refused before anything is written.</summary>
    public IReadOnlyList<string> Validate() => Validate(valid: null);

    /// <summary>
    /// As <see cref="Validate()"/>, for a state made from <paramref name="valid"/>, a state known to be valid (the one in
    /// force): when the change edits services in place (<see cref="InPlaceChanges"/>), only the services it changed are
    /// checked, and their names against the others only when renamed, so a change costs what it touches at any size.
    /// </summary>
    public IReadOnlyList<string> Validate(DesiredState? valid)
    {
        var problems = new List<string>();
        if (DefaultSnat.Kind == SnatKind.Address)
        {
            problems.Add($"the default SNAT is {Words.SnatModes.Choices}; an address is set per service");
        }

        if (valid is not null && InPlaceChanges(valid, this) is { } positions)
        {
            foreach (int index in positions)
            {
                DesiredService service = Services[index];
                if (!string.Equals(service.Name, valid.Services[index].Name, StringComparison.OrdinalIgnoreCase)
                    && Services.Where((other, at) => at != index && string.Equals(other.Name, service.Name, StringComparison.OrdinalIgnoreCase)).Any())
                {
                    problems.Add($"service name '{service.Name}' is used twice (names are case-insensitive)");
                }

                AddProblems(service, problems);
            }

            return problems;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var keys = new HashSet<IpvsServiceKey>();
        foreach (DesiredService service in Services)
        {
            if (!names.Add(service.Name))
            {
                problems.Add($"service name '{service.Name}' is used twice (names are case-insensitive)");
            }

            if (!keys.Add(service.Key))
            {
                problems.Add($"service {service.Key} is defined twice");
            }

            AddProblems(service, problems);
        }

        return problems;
    }

    /// <summary>
    /// The positions where <paramref name="after"/>'s services differ from <paramref name="before"/>'s when both list the
    /// same keys in the same order (a change that edits services in place: a destination added, a weight, a label, a
    /// rename); null when services were added, removed or moved. A service shared by reference is unchanged without a
    /// deeper look, so this costs about a pointer comparison per service.
    /// </summary>
    public static IReadOnlyList<int>? InPlaceChanges(DesiredState before, DesiredState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Services.Count != after.Services.Count)
        {
            return null;
        }

        var changed = new List<int>();
        for (int index = 0; index < after.Services.Count; index++)
        {
            DesiredService now = after.Services[index], was = before.Services[index];
            if (ReferenceEquals(now, was))
            {
                continue;
            }

            if (now.Key != was.Key)
            {
                return null;
            }

            if (!now.Equals(was))
            {
                changed.Add(index);
            }
        }

        // The same keys in the same places: after finds its services where before does. (A state made with `with`
        // carries its origin's index, for another list: it does not count.)
        if (before._positions is { } known && ReferenceEquals(known.Item1, before.Services) && !ReferenceEquals(after._positions?.Item1, after.Services))
        {
            after._positions = Tuple.Create(after.Services, known.Item2);
        }

        return changed;
    }

    // The problems of one service on its own (names and keys among the others are the caller's).
    private static void AddProblems(DesiredService service, List<string> problems)
    {
        if (!DesiredStateNames.IsValid(service.Name))
        {
            problems.Add($"service name '{service.Name}' is not valid: {DesiredStateNames.Rule}");
        }

        try
        {
            IpvsCodec.ValidateService(service.Service);
        }
        catch (ArgumentException e)
        {
            problems.Add($"service '{service.Name}': {e.Message}");
        }

        if (service.Check is { } check)
        {
            problems.AddRange(check.Problems().Select(p => $"service '{service.Name}': {p}"));
        }

        if (service.Snat?.Problem(service.Key) is { } snatProblem)
        {
            problems.Add($"service '{service.Name}': {snatProblem}");
        }

        var destinationNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach ((System.Net.IPEndPoint endPoint, DestinationLabel label) in service.Labels)
        {
            if (!service.Destinations.Any(d => d.Address.Equals(endPoint.Address) && d.Port == endPoint.Port))
            {
                problems.Add($"service '{service.Name}': a label names {endPoint}, which is not one of its destinations");
            }

            if (label.Name is { } destinationName && (!DesiredStateNames.IsValid(destinationName) || !destinationNames.Add(destinationName)))
            {
                problems.Add($"service '{service.Name}': destination name '{destinationName}' is not valid or is used twice");
            }
        }

        var endpoints = new HashSet<(System.Net.IPAddress, ushort)>();
        foreach (IpvsDestination destination in service.Destinations)
        {
            if (!endpoints.Add((destination.Address, destination.Port)))
            {
                problems.Add($"service '{service.Name}': destination {destination} is defined twice");
            }

            try
            {
                IpvsCodec.ValidateDestination(destination);
            }
            catch (ArgumentException e)
            {
                problems.Add($"service '{service.Name}': destination {destination}: {e.Message}");
            }

            if (destination.Address.AddressFamily != service.Key.AddressFamily && destination.ForwardingMethod != IpvsForwardingMethod.Tunnel)
            {
                problems.Add($"service '{service.Name}': destination {destination} is of another address family, which only tunnels allow");
            }

            // The kernel refuses this (ERANGE) even when the upper threshold is 0, i.e. unlimited.
            if (destination.LowerThreshold > destination.UpperThreshold)
            {
                problems.Add($"service '{service.Name}': destination {destination}: the lower threshold exceeds the upper one");
            }
        }
    }

    public bool Equals(DesiredState? other) =>
        ReferenceEquals(this, other)
        || (other is not null && Services.SequenceEqual(other.Services) && Retired.SequenceEqual(other.Retired) && DefaultSnat == other.DefaultSnat);

    public override int GetHashCode() => HashCode.Combine(Services.Count, Retired.Count);
}
