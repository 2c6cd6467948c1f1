using Fusis.Core.Ipvsadm;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>
/// Desired vs actual → the ordered kernel writes that make them equal, touching only what Fusis owns:
/// retired services are deleted; owned services are created, edited in place, and their destinations
/// added, edited or deleted; every other kernel service is left alone. No drift, no operations.
/// </summary>
public static class Planner
{
    public static IReadOnlyList<IpvsOperation> Plan(DesiredState desired, IpvsTable actual)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        var kernel = actual.Services.ToDictionary(s => s.Service.Key);
        var owned = desired.Services.Select(s => s.Key).ToHashSet();
        var plan = new List<IpvsOperation>();

        foreach (IpvsServiceKey retired in desired.Retired)
        {
            if (!owned.Contains(retired) && kernel.ContainsKey(retired))
            {
                plan.Add(IpvsOperation.DeleteService(retired));
            }
        }

        foreach (DesiredService wanted in desired.Services)
        {
            bool ordered = HashingOrder.Matters(wanted.Service.Scheduler);
            IReadOnlyList<IpvsDestination> destinations = ordered ? HashingOrder.Canonical(wanted.KernelDestinations) : wanted.KernelDestinations;
            if (!kernel.TryGetValue(wanted.Key, out IpvsTableService? present))
            {
                plan.Add(IpvsOperation.AddService(wanted.Service));
                plan.AddRange(destinations.Select(d => IpvsOperation.AddDestination(wanted.Key, d)));
                continue;
            }

            if (!SameSettings(wanted.Service, present.Service))
            {
                plan.Add(IpvsOperation.UpdateService(wanted.Service));
            }

            var wantedByEndPoint = destinations.ToDictionary(d => (d.Address, d.Port));
            var presentByEndPoint = present.Destinations.ToDictionary(d => (d.Address, d.Port));
            plan.AddRange(present.Destinations
                .Where(d => !wantedByEndPoint.ContainsKey((d.Address, d.Port)))
                .Select(d => IpvsOperation.DeleteDestination(wanted.Key, d)));
            if (ordered)
            {
                Reorder(wanted.Key, destinations, wantedByEndPoint, present.Destinations, presentByEndPoint, plan);
            }

            foreach (IpvsDestination destination in destinations)
            {
                if (!presentByEndPoint.TryGetValue((destination.Address, destination.Port), out IpvsDestination? current))
                {
                    plan.Add(IpvsOperation.AddDestination(wanted.Key, destination));
                }
                else if (!SameSettings(destination, current))
                {
                    plan.Add(IpvsOperation.UpdateDestination(wanted.Key, destination));
                }
            }
        }

        return plan;
    }

    // Destinations re-added go after those kept, so those kept must be the first of the canonical order (HashingOrder),
    // in that order: the longest such run stays, every other present destination is deleted here and forgotten as
    // present, and the loop that follows adds it again in order.
    private static void Reorder(
        IpvsServiceKey key, IReadOnlyList<IpvsDestination> wanted, Dictionary<(System.Net.IPAddress, ushort), IpvsDestination> wantedByEndPoint,
        IReadOnlyList<IpvsDestination> present, Dictionary<(System.Net.IPAddress, ushort), IpvsDestination> presentByEndPoint, List<IpvsOperation> plan)
    {
        IReadOnlyList<IpvsDestination> asAdded = HashingOrder.AsAdded(present);
        var added = asAdded.Select((d, at) => (d, at)).ToDictionary(p => (p.d.Address, p.d.Port), p => p.at);
        var stays = new HashSet<(System.Net.IPAddress, ushort)>();
        int last = -1;
        foreach (IpvsDestination destination in wanted)
        {
            if (!added.TryGetValue((destination.Address, destination.Port), out int at) || at < last)
            {
                break;
            }

            stays.Add((destination.Address, destination.Port));
            last = at;
        }

        foreach (IpvsDestination misplaced in asAdded.Where(d => wantedByEndPoint.ContainsKey((d.Address, d.Port)) && !stays.Contains((d.Address, d.Port))))
        {
            plan.Add(IpvsOperation.DeleteDestination(key, misplaced));
            presentByEndPoint.Remove((misplaced.Address, misplaced.Port));
        }
    }

    /// <summary>The settings a write sets, ignoring counters and defaults spelled differently.</summary>
    public static bool SameSettings(IpvsService wanted, IpvsService present) =>
        wanted with { Statistics = null, Netmask = wanted.EffectiveNetmask }
        == present with { Statistics = null, Netmask = present.EffectiveNetmask };

    public static bool SameSettings(IpvsDestination wanted, IpvsDestination present)
    {
        IpvsDestination current = present.WithoutCounters();
        // The kernel turns masquerading to one of its own addresses into local delivery.
        if (current.ForwardingMethod == IpvsForwardingMethod.Local && wanted.ForwardingMethod == IpvsForwardingMethod.Masquerade)
        {
            current = current with { ForwardingMethod = IpvsForwardingMethod.Masquerade };
        }

        // Tunnel settings mean nothing for other methods; the kernel keeps whatever was last sent.
        if (wanted.ForwardingMethod != IpvsForwardingMethod.Tunnel)
        {
            current = current with { TunnelType = wanted.TunnelType, TunnelPort = wanted.TunnelPort, TunnelChecksum = wanted.TunnelChecksum };
        }

        return wanted.WithoutCounters() == current;
    }
}
