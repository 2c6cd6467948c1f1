using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>DELETE /services/{name}/destinations/{destination}.</summary>
public sealed record DeleteDestinationOperation(string Service, string Destination)
    : FusisOperation("DELETE", $"services/{Segment(Service)}/destinations/{Segment(Destination)}", OperationResult.None, $"{Service} ({Destination})")
{
    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService existing = ServiceRules.Owned(state, Service);
        IpvsDestination removed = ServiceRules.OwnedDestination(existing, Destination);
        return new OperationEdit(ServiceRules.Replace(state, existing, existing.WithDestinations(existing.Destinations.Where(d => d != removed).ToList())));
    }
}
