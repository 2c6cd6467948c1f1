using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// POST /services/{name}/destinations/{destination}/drain (or /undrain): an operator takes a destination out of new
/// connections (weight 0 in the kernel; established ones go on) and puts it back at its weight. Its configured weight
/// is kept either way; a drained destination stays until it is undrained or deleted.
/// </summary>
public sealed record DrainDestinationOperation(string Service, string Destination, bool Drain)
    : FusisOperation("POST", $"services/{Segment(Service)}/destinations/{Segment(Destination)}/{(Drain ? "drain" : "undrain")}", OperationResult.Destination, $"{Service} ({Destination})")
{
    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService existing = ServiceRules.Owned(state, Service);
        IpvsDestination present = ServiceRules.OwnedDestination(existing, Destination);
        DesiredService next = existing.WithLabel(new IPEndPoint(present.Address, present.Port), label => label with { Drained = Drain });
        return new OperationEdit(ServiceRules.Replace(state, existing, next), existing.Name, present);
    }
}
