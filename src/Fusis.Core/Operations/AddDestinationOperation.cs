using Fusis.Core.Api;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>POST /services/{name}/destinations: one more destination.</summary>
public sealed record AddDestinationOperation(string Service, DestinationRequest Request)
    : FusisOperation("POST", $"services/{Segment(Service)}/destinations", OperationResult.Destination, $"{Service} ({Request.Address ?? Request.Host}{(Request.Port is { } port ? $":{port}" : string.Empty)})")
{
    public override object? Body => Request;

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService existing = ServiceRules.Owned(state, Service);
        DesiredService added = RequestMapper.AddDestination(existing, Request);
        return new OperationEdit(ServiceRules.Replace(state, existing, added), existing.Name, added.Destinations[^1], Created: true);
    }
}
