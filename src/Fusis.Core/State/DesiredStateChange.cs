using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>
/// What differs between two desired states, service by service: what a store writes instead of the whole state
/// (a journal line, a key per service), so a change costs what it touches.
/// </summary>
internal sealed record DesiredStateChange(
    IReadOnlyList<IpvsServiceKey> Removed,
    IReadOnlyList<(int Index, DesiredService Service)> Put,
    IReadOnlyList<IpvsServiceKey>? Retired)
{
    /// <summary>The default SNAT after the change; null when it did not change.</summary>
    public SnatSetting? DefaultSnat { get; init; }

    public bool IsEmpty => Removed.Count == 0 && Put.Count == 0 && Retired is null && DefaultSnat is null;

    /// <summary>The change from <paramref name="before"/> to <paramref name="after"/>; null when replaying it would not give <paramref name="after"/> exactly (services reordered).</summary>
    public static DesiredStateChange? Between(DesiredState before, DesiredState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        IReadOnlyList<IpvsServiceKey>? retired = before.Retired.SequenceEqual(after.Retired) ? null : after.Retired;
        SnatSetting? defaultSnat = before.DefaultSnat == after.DefaultSnat ? null : after.DefaultSnat;
        if (DesiredState.InPlaceChanges(before, after) is { } positions)
        {
            // Each put replaces the service of its key where it stands: the replay gives after exactly, unchecked.
            return new DesiredStateChange([], positions.Select(i => (i, after.Services[i])).ToList(), retired) { DefaultSnat = defaultSnat };
        }

        var old = before.Services.ToDictionary(s => s.Key);
        var kept = after.Services.Select(s => s.Key).ToHashSet();
        var put = new List<(int, DesiredService)>();
        for (int index = 0; index < after.Services.Count; index++)
        {
            DesiredService service = after.Services[index];
            if (!old.TryGetValue(service.Key, out DesiredService? previous) || previous != service)
            {
                put.Add((index, service));
            }
        }

        var change = new DesiredStateChange(
            before.Services.Where(s => !kept.Contains(s.Key)).Select(s => s.Key).ToList(),
            put,
            retired)
        {
            DefaultSnat = defaultSnat,
        };
        return change.ApplyTo(before).Equals(after) ? change : null;
    }

    /// <summary>
    /// <paramref name="state"/> with the change: removed services dropped, put services replaced in place or inserted
    /// at their index (in ascending order, so each lands where it was).
    /// </summary>
    public DesiredState ApplyTo(DesiredState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var removed = Removed.ToHashSet();
        List<DesiredService> services = state.Services.Where(s => !removed.Contains(s.Key)).ToList();
        var position = new Dictionary<IpvsServiceKey, int>();
        for (int index = 0; index < services.Count; index++)
        {
            position[services[index].Key] = index;
        }

        var inserted = new List<(int Index, DesiredService Service)>();
        foreach ((int index, DesiredService service) in Put)
        {
            if (position.TryGetValue(service.Key, out int at))
            {
                services[at] = service;
            }
            else
            {
                inserted.Add((index, service));
            }
        }

        foreach ((int index, DesiredService service) in inserted.OrderBy(p => p.Index))
        {
            services.Insert(Math.Clamp(index, 0, services.Count), service);
        }

        return new DesiredState(services, Retired ?? state.Retired) { DefaultSnat = DefaultSnat ?? state.DefaultSnat };
    }
}
