using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>DELETE /services/{name}: the service and its destinations.</summary>
public sealed record DeleteServiceOperation(string Name)
    : FusisOperation("DELETE", $"services/{Segment(Name)}", OperationResult.None, Name)
{
    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context) =>
        new(ServiceRules.Retire(state, ServiceRules.Owned(state, Name)));
}
