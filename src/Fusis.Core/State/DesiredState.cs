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

    // Where each service stands (built at most once per list of services, see ServiceIndex); and the last
    // InPlaceChanges from another list to this one's, which a change asks for three times (lists, not states: a state
    // holding its predecessor would hold every state before it). References, so that threads reading a snapshot see
    // each whole or not at all.
    private ServiceIndex? _index;
    private Tuple<IReadOnlyList<DesiredService>, IReadOnlyList<DesiredService>, IReadOnlyList<int>?>? _changesFrom;

    public DesiredService? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Index.ByName.TryGetValue(name, out int at) ? Services[at] : null;
    }

    /// <summary>The service of <paramref name="key"/>, or null.</summary>
    public DesiredService? Find(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Index.ByKey.TryGetValue(key, out int at) ? Services[at] : null;
    }

    /// <summary>Where the service named <paramref name="name"/> stands in <see cref="Services"/>, or -1.</summary>
    internal int PositionOf(string name) => Index.ByName.TryGetValue(name, out int at) ? at : -1;

    /// <summary>This state with <paramref name="replacement"/> where <paramref name="existing"/> (one of its services) stands.</summary>
    public DesiredState Replacing(DesiredService existing, DesiredService replacement)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(replacement);
        int at = Index.ByKey.TryGetValue(existing.Key, out int found) && Services[found] == existing
            ? found
            : throw new ArgumentException($"service '{existing.Name}' is not one of this state's", nameof(existing));
        return Replacing(new Dictionary<int, DesiredService> { [at] = replacement });
    }

    /// <summary>
    /// This state with the services at <paramref name="replacements"/>' positions replaced by services of the same keys.
    /// The new state knows itself as this one's in-place change (<see cref="InPlaceChanges"/>), and finds its services
    /// through this one's index when nothing was renamed: what the change touched is known without a walk of every service.
    /// </summary>
    internal DesiredState Replacing(IReadOnlyDictionary<int, DesiredService> replacements)
    {
        if (replacements.Count == 0)
        {
            return this;
        }

        var services = new List<DesiredService>(Services);
        var changed = new List<int>(replacements.Count);
        bool renamed = false;
        foreach ((int at, DesiredService replacement) in replacements.OrderBy(r => r.Key))
        {
            DesiredService was = Services[at];
            if (replacement.Key != was.Key)
            {
                throw new ArgumentException($"service '{was.Name}' is replaced by one of another key, {replacement.Key}", nameof(replacements));
            }

            services[at] = replacement;
            if (!replacement.Equals(was))
            {
                changed.Add(at);
                renamed |= !string.Equals(replacement.Name, was.Name, StringComparison.OrdinalIgnoreCase);
            }
        }

        DesiredState next = this with { Services = services };
        next._changesFrom = Tuple.Create(Services, (IReadOnlyList<DesiredService>)services, (IReadOnlyList<int>?)changed);
        next._index = !renamed && _index is { } index && ReferenceEquals(index.Services, Services) ? index.HandedTo(services) : null;
        return next;
    }

    /// <summary>Only the services and retired keys among <paramref name="keys"/>, in their order.</summary>
    public DesiredState Subset(IReadOnlySet<IpvsServiceKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        List<DesiredService> services = keys.Count * 8 < Services.Count
            ? [.. keys.Select(k => Index.ByKey.TryGetValue(k, out int at) ? at : -1).Where(at => at >= 0).Order().Select(at => Services[at])]
            : [.. Services.Where(s => keys.Contains(s.Key))];
        return new DesiredState(services, Retired.Where(keys.Contains).ToList()) { DefaultSnat = DefaultSnat };
    }

    private ServiceIndex Index
    {
        get
        {
            if (_index is { } known && ReferenceEquals(known.Services, Services))
            {
                return known;
            }

            var index = new ServiceIndex(Services);
            _index = index;
            return index;
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
        if (after._changesFrom is { } known && ReferenceEquals(known.Item1, before.Services) && ReferenceEquals(known.Item2, after.Services))
        {
            return known.Item3;
        }

        if (ReferenceEquals(before.Services, after.Services))
        {
            return [];
        }

        IReadOnlyList<int>? changes = Compare(before, after, out bool renamed);
        after._changesFrom = Tuple.Create(before.Services, after.Services, changes);

        // The same keys and names in the same places: after finds its services where before does. (A state made with
        // `with` carries its origin's index, of another list: it does not count.)
        if (changes is not null && !renamed && before._index is { } index && ReferenceEquals(index.Services, before.Services)
            && !ReferenceEquals(after._index?.Services, after.Services))
        {
            after._index = index.HandedTo(after.Services);
        }

        return changes;
    }

    private static List<int>? Compare(DesiredState before, DesiredState after, out bool renamed)
    {
        renamed = false;
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
                renamed |= !string.Equals(now.Name, was.Name, StringComparison.OrdinalIgnoreCase);
            }
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

    // Through InPlaceChanges, whose walk a change asks for anyway (and remembers): equal when it finds nothing changed.
    public bool Equals(DesiredState? other) =>
        ReferenceEquals(this, other)
        || (other is not null && InPlaceChanges(other, this) is { Count: 0 } && Retired.SequenceEqual(other.Retired) && DefaultSnat == other.DefaultSnat);

    public override int GetHashCode() => HashCode.Combine(Services.Count, Retired.Count);
}
