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
            // Off first: a state without SNAT costs a look per service, not one per destination.
            SnatSetting setting = state.SnatOf(service);
            if (setting.Kind == SnatKind.Off)
            {
                continue;
            }

            IPAddress[] nat = [.. service.Destinations.Where(d => d.ForwardingMethod == IpvsForwardingMethod.Masquerade).Select(d => d.Address).Distinct()];
            if (nat.Length > 0)
            {
                rules.Add(new SnatRule(service.Name, service.Key, nat, setting));
            }
        }

        return rules;
    }

    public bool Equals(SnatRule? other) =>
        other is not null && Service == other.Service && Key == other.Key && Setting == other.Setting && Destinations.SequenceEqual(other.Destinations);

    public override int GetHashCode() => HashCode.Combine(Service, Key);
}
