using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>DELETE /services/{name}/check: no more health check; nothing holds a destination down any more.</summary>
public sealed record DeleteCheckOperation(string Service)
    : FusisOperation("DELETE", $"services/{Segment(Service)}/check", OperationResult.None, Service)
{
    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService existing = ServiceRules.Owned(state, Service);
        var labels = existing.Labels.ToDictionary(l => l.Key, l => l.Value with { Down = false });
        return new OperationEdit(ServiceRules.Replace(state, existing, existing with { Check = null, Labels = labels }));
    }
}
