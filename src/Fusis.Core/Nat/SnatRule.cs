using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Nat;

/// <summary>
/// One service's SNAT: connections that arrived for <see cref="Key"/> and leave toward one of its NAT destinations get
/// their source rewritten per <see cref="Setting"/>. Direct-routing and tunnel destinations are left alone (their
/// packets must keep the client's address).
/// </summary>
public sealed record SnatRule(string Service, IpvsServiceKey Key, IReadOnlyList<IPAddress> Destinations, SnatSetting Setting)
{
    /// <summary>The rules a desired state needs, in its services' order: one per service whose SNAT is on and that has NAT destinations.</summary>
    public static IReadOnlyList<SnatRule> For(DesiredState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rules = new List<SnatRule>();
        foreach (DesiredService service in state.Services)
        {
            if (Of(state, service) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    /// <summary>
    /// <see cref="For(DesiredState)"/>, given the rules of <paramref name="from"/>, a state <paramref name="state"/> was
    /// made from: when the change edits services in place (<see cref="DesiredState.InPlaceChanges"/>) and none of them
    /// has or had a rule, those rules, without a look at every service.
    /// </summary>
    public static IReadOnlyList<SnatRule> For(DesiredState state, DesiredState from, IReadOnlyList<SnatRule> fromRules)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(fromRules);
        return ReferenceEquals(state, from)
            || (state.DefaultSnat == from.DefaultSnat && DesiredState.InPlaceChanges(from, state) is { } changed
                && changed.All(at => Of(from, from.Services[at]) is null && Of(state, state.Services[at]) is null))
            ? fromRules : For(state);
    }

    // The service's rule, if it needs one. Off first: a state without SNAT costs a look per service, not one per destination.
    private static SnatRule? Of(DesiredState state, DesiredService service)
    {
        SnatSetting setting = state.SnatOf(service);
        if (setting.Kind == SnatKind.Off)
        {
            return null;
        }

        IPAddress[] nat = [.. service.Destinations.Where(d => d.ForwardingMethod == IpvsForwardingMethod.Masquerade).Select(d => d.Address).Distinct()];
        return nat.Length > 0 ? new SnatRule(service.Name, service.Key, nat, setting) : null;
    }

    public bool Equals(SnatRule? other) =>
        other is not null && Service == other.Service && Key == other.Key && Setting == other.Setting && Destinations.SequenceEqual(other.Destinations);

    public override int GetHashCode() => HashCode.Combine(Service, Key);
}
