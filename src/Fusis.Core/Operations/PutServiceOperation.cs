using Fusis.Core.Api;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>PUT /services/{name}: the whole service (created when absent); without Destinations it keeps its own.</summary>
public sealed record PutServiceOperation(string Name, ServiceRequest Request)
    : FusisOperation("PUT", $"services/{Segment(Name)}", OperationResult.Service, Name)
{
    public override object? Body => Request;

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        DesiredService service = RequestMapper.ToService(Request, Name);
        if (state.Find(Name) is not { } existing)
        {
            return new OperationEdit(ServiceRules.Create(state, kernel, service), service.Name, Created: true);
        }

        if (service.Key != existing.Key)
        {
            throw FusisException.Invalid("Address", $"a service's address, port and protocol are its identity ({existing.Key}); delete it and create another");
        }

        DesiredService next = Request.Destinations is null
            ? service with { Name = existing.Name, Destinations = existing.Destinations, Labels = existing.Labels }
            : service with { Name = existing.Name };
        return new OperationEdit(ServiceRules.Replace(state, existing, next), existing.Name);
    }
}
