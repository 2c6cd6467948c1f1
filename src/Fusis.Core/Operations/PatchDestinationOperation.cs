using Fusis.Core.Api;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// PATCH /services/{name}/destinations/{destination}: only the fields given change; never its address and port. Its
/// service is converged too, as with a service's PATCH.
/// </summary>
public sealed record PatchDestinationOperation(string Service, string Destination, DestinationRequest Request)
    : FusisOperation("PATCH", $"services/{Segment(Service)}/destinations/{Segment(Destination)}", OperationResult.Destination, $"{Service} ({Destination})")
{
    public override object? Body => Request;

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService existing = ServiceRules.Owned(state, Service);
        IpvsDestination present = ServiceRules.OwnedDestination(existing, Destination);
        DesiredService patched = RequestMapper.PatchDestination(existing, present, Request);
        IpvsDestination changed = patched.Destinations.Single(d => d.Address.Equals(present.Address) && d.Port == present.Port);
        return new OperationEdit(ServiceRules.Replace(state, existing, patched), existing.Name, changed) { Converge = new HashSet<IpvsServiceKey> { existing.Key } };
    }
}
