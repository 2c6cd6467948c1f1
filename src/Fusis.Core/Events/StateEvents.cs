using System.Net;
using Fusis.Core.Api;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Events;

/// <summary>
/// The events a change of the desired state makes: services created, changed and removed, destinations added,
/// changed and removed, taken down or put back by their check, drained and undrained. Only the services the change
/// touched are compared, so a change costs what it touches.
/// </summary>
public static class StateEvents
{
    public static void Append(EventLog log, DesiredState previous, DesiredState next, IReadOnlySet<IpvsServiceKey> touched, string reason)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(touched);
        if (touched.Count == 0)
        {
            return;
        }

        var before = previous.Subset(touched).Services.ToDictionary(s => s.Key);
        foreach (DesiredService service in next.Subset(touched).Services)
        {
            if (!before.Remove(service.Key, out DesiredService? old))
            {
                log.Append(FusisEventType.ServiceCreated, service.Name, null, null, reason);
                foreach (IpvsDestination destination in service.Destinations)
                {
                    log.Append(FusisEventType.DestinationAdded, service.Name, ResourceMapper.Id(destination), service.LabelOf(destination)?.Member, reason);
                }

                continue;
            }

            if (old.Name != service.Name || old.Service != service.Service || old.Check != service.Check || old.Snat != service.Snat
                || old.DefaultForwardingMethod != service.DefaultForwardingMethod)
            {
                log.Append(FusisEventType.ServiceChanged, service.Name, null, null, reason);
            }

            Destinations(log, old, service, reason);
        }

        foreach (DesiredService removed in before.Values)
        {
            log.Append(FusisEventType.ServiceRemoved, removed.Name, null, null, reason);
        }
    }

    private static void Destinations(EventLog log, DesiredService old, DesiredService service, string reason)
    {
        var was = old.Destinations.ToDictionary(d => new IPEndPoint(d.Address, d.Port));
        foreach (IpvsDestination destination in service.Destinations)
        {
            var endPoint = new IPEndPoint(destination.Address, destination.Port);
            DestinationLabel label = service.LabelOf(destination) ?? new DestinationLabel(null);
            string? member = label.Member;
            if (!was.Remove(endPoint, out IpvsDestination? before))
            {
                log.Append(FusisEventType.DestinationAdded, service.Name, ResourceMapper.Id(destination), member, reason);
                continue;
            }

            DestinationLabel prior = old.LabelOf(before) ?? new DestinationLabel(null);
            if (before != destination)
            {
                log.Append(FusisEventType.DestinationChanged, service.Name, ResourceMapper.Id(destination), member, reason);
            }

            if (label.Down != prior.Down)
            {
                log.Append(label.Down ? FusisEventType.DestinationDown : FusisEventType.DestinationUp, service.Name, ResourceMapper.Id(destination), member, reason);
            }

            bool draining = label.Draining || label.Drained, wasDraining = prior.Draining || prior.Drained;
            if (draining && !wasDraining)
            {
                log.Append(FusisEventType.DestinationDraining, service.Name, ResourceMapper.Id(destination), member, reason);
            }
            else if (!draining && wasDraining && !label.Down)
            {
                log.Append(FusisEventType.DestinationUp, service.Name, ResourceMapper.Id(destination), member, reason);
            }
        }

        foreach (IpvsDestination removed in was.Values)
        {
            log.Append(FusisEventType.DestinationRemoved, service.Name, ResourceMapper.Id(removed), old.LabelOf(removed)?.Member, reason);
        }
    }
}
