using Fusis.Core.Api;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>POST /services/{name}/check: the service's health check.</summary>
public sealed record SetCheckOperation(string Service, CheckRequest Request)
    : FusisOperation("POST", $"services/{Segment(Service)}/check", OperationResult.Service, Service)
{
    public override object? Body => Request;

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        HealthCheck check = CheckMapper.ToCheck(Request);
        DesiredService existing = ServiceRules.Owned(state, Service);
        return new OperationEdit(ServiceRules.Replace(state, existing, existing with { Check = check }), existing.Name);
    }
}
