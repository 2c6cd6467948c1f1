using System.Net;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>A service Fusis owns: its user-facing name, its kernel settings and its destinations.</summary>
public sealed record DesiredService(string Name, IpvsService Service, IReadOnlyList<IpvsDestination> Destinations)
{
    private static readonly IReadOnlyDictionary<IPEndPoint, DestinationLabel> NoLabels = new Dictionary<IPEndPoint, DestinationLabel>();
    private static readonly DestinationLabel Unlabelled = new(null);

    public IpvsServiceKey Key => Service.Key;

    /// <summary>The forwarding method of destinations added without one (the original Fusis API's service "Mode").</summary>
    public IpvsForwardingMethod DefaultForwardingMethod { get; init; } = IpvsForwardingMethod.Masquerade;

    /// <summary>Names and cluster members of destinations, by address and port; a destination may have none.</summary>
    public IReadOnlyDictionary<IPEndPoint, DestinationLabel> Labels { get; init; } = NoLabels;

    /// <summary>The service's health check, if it has one.</summary>
    public HealthCheck? Check { get; init; }

    /// <summary>The service's SNAT; null: the balancer's default (<see cref="DesiredState.DefaultSnat"/>).</summary>
    public SnatSetting? Snat { get; init; }

    /// <summary>
    /// The destinations as the kernel should hold them: a destination held down by its check is removed (or at weight
    /// 0, per the check's action); a draining or drained one is at weight 0.
    /// </summary>
    public IReadOnlyList<IpvsDestination> KernelDestinations => Labels.Count == 0 ? Destinations : Destinations
        .Where(d => LabelOf(d) is not { Down: true } || Check is not { Action: HealthCheckAction.Remove })
        .Select(d => LabelOf(d) is { Down: true } or { Draining: true } or { Drained: true } ? d with { Weight = 0 } : d)
        .ToList();

    /// <summary>Whether a destination drains towards its deletion (a member's drain; see <see cref="DestinationLabel.Draining"/>).</summary>
    public bool HasDrainingDestination => Labels.Count > 0 && Labels.Values.Any(l => l.Draining);

    /// <summary>Whether a destination is a Serf member's (membership manages it).</summary>
    public bool HasMemberDestination => Labels.Count > 0 && Labels.Values.Any(l => l.Member is not null);

    public DestinationLabel? LabelOf(IpvsDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Labels.GetValueOrDefault(new IPEndPoint(destination.Address, destination.Port));
    }

    /// <summary>This service with one destination's label changed (a label that says nothing is dropped).</summary>
    public DesiredService WithLabel(IPEndPoint destination, Func<DestinationLabel, DestinationLabel> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var labels = new Dictionary<IPEndPoint, DestinationLabel>(Labels);
        DestinationLabel label = change(labels.GetValueOrDefault(destination) ?? Unlabelled);
        if (label == Unlabelled)
        {
            labels.Remove(destination);
        }
        else
        {
            labels[destination] = label;
        }

        return this with { Labels = labels };
    }

    /// <summary>This service with other destinations; labels of destinations no longer there are dropped.</summary>
    public DesiredService WithDestinations(IReadOnlyList<IpvsDestination> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        var present = destinations.Select(d => new IPEndPoint(d.Address, d.Port)).ToHashSet();
        return this with
        {
            Destinations = destinations,
            Labels = Labels.Where(l => present.Contains(l.Key)).ToDictionary(l => l.Key, l => l.Value),
        };
    }

    public bool Equals(DesiredService? other) =>
        ReferenceEquals(this, other) || (other is not null && Name == other.Name && Service == other.Service && Destinations.SequenceEqual(other.Destinations)
        && DefaultForwardingMethod == other.DefaultForwardingMethod && Check == other.Check && Snat == other.Snat
        && Labels.Count == other.Labels.Count && Labels.All(l => other.Labels.TryGetValue(l.Key, out DestinationLabel? o) && o == l.Value));

    public override int GetHashCode() => HashCode.Combine(Name, Service.Key);
}
