using Fusis.Core.Api;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// PATCH /services/{name}: only the fields given change (a new Name renames it); never its identity. The service is
/// converged too, so a patch that asks for what is already desired still repairs drift in the kernel.
/// </summary>
public sealed record PatchServiceOperation(string Name, ServiceRequest Request)
    : FusisOperation("PATCH", $"services/{Segment(Name)}", OperationResult.Service, Name)
{
    public override object? Body => Request;

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        DesiredService existing = ServiceRules.Owned(state, Name);
        DesiredService patched = RequestMapper.Patch(existing, Request);
        return new OperationEdit(ServiceRules.Replace(state, existing, patched), patched.Name) { Converge = new HashSet<IpvsServiceKey> { existing.Key } };
    }
}
