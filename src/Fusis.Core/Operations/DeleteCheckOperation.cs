using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>DELETE /services/{name}/check: no more health check; nothing holds a destination down any more.</summary>
public sealed record DeleteCheckOperation(string Service) : FusisOperation
{
    public override string Method => "DELETE";

    public override string Path => $"services/{Segment(Service)}/check";

    public override OperationResult Result => OperationResult.None;

    public override string Target => Service;

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService existing = ServiceRules.Owned(state, Service);
        var labels = existing.Labels.ToDictionary(l => l.Key, l => l.Value with { Down = false });
        return new OperationEdit(ServiceRules.Replace(state, existing, existing with { Check = null, Labels = labels }));
    }
}
