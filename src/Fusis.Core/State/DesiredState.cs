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

    public DesiredService? Find(string name) =>
        Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Only the services and retired keys among <paramref name="keys"/>.</summary>
    public DesiredState Subset(IReadOnlySet<IpvsServiceKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new DesiredState(Services.Where(s => keys.Contains(s.Key)).ToList(), Retired.Where(keys.Contains).ToList()) { DefaultSnat = DefaultSnat };
    }

    /// <summary>The keys whose desired service differs between the two states (added, changed, removed or retired).</summary>
    public static IReadOnlySet<IpvsServiceKey> Changed(DesiredState before, DesiredState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = before.Services.ToDictionary(s => s.Key);
        var changed = new HashSet<IpvsServiceKey>();
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
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (DefaultSnat.Kind == SnatKind.Address)
        {
            problems.Add($"the default SNAT is {Words.SnatModes.Choices}; an address is set per service");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var keys = new HashSet<IpvsServiceKey>();
        foreach (DesiredService service in Services)
        {
            if (!DesiredStateNames.IsValid(service.Name))
            {
                problems.Add($"service name '{service.Name}' is not valid: {DesiredStateNames.Rule}");
            }

            if (!names.Add(service.Name))
            {
                problems.Add($"service name '{service.Name}' is used twice (names are case-insensitive)");
            }

            if (!keys.Add(service.Key))
            {
                problems.Add($"service {service.Key} is defined twice");
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

        return problems;
    }

    public bool Equals(DesiredState? other) =>
        other is not null && Services.SequenceEqual(other.Services) && Retired.SequenceEqual(other.Retired) && DefaultSnat == other.DefaultSnat;

    public override int GetHashCode() => HashCode.Combine(Services.Count, Retired.Count);
}
