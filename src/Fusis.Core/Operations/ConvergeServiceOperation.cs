using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// POST /services/{name}/converge: makes the kernel hold the service exactly as desired now, repairing drift made
/// behind Fusis's back without waiting for the periodic reconcile (what a DSC set ends with).
/// </summary>
public sealed record ConvergeServiceOperation(string Name)
    : FusisOperation("POST", $"services/{Segment(Name)}/converge", OperationResult.Service, Name)
{
    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService owned = ServiceRules.Owned(state, Name);
        return new OperationEdit(state, owned.Name) { Converge = new HashSet<IpvsServiceKey> { owned.Key } };
    }
}
