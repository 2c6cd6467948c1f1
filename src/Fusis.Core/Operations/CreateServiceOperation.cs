using System.Net;
using Fusis.Core.Api;
using Fusis.Core.Membership;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>POST /services: a new service; without an address, one from the balancer's VIP range (IPAM).</summary>
public sealed record CreateServiceOperation(ServiceRequest Request)
    : FusisOperation("POST", "services", OperationResult.Service, Request.Name ?? "(unnamed service)")
{
    public override object? Body => Request;

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(context);
        ServiceRequest request = Request;
        if (context.VipRange is { } range && request.Address is null && request.Host is null && request.FirewallMark is null)
        {
            // Allocated on the engine's loop, so two creates never get the same address.
            IPAddress address = VipAllocator.Allocate(range, state, kernel.GetServices().Select(s => s.Key))
                ?? throw new FusisException(FusisErrorCode.ServiceExists, $"no free address is left in the VIP range {range}; nothing was changed");
            request = RequestMapper.Copy(request);
            request.Address = address.ToString();
        }

        DesiredService service = RequestMapper.ToService(request, routeName: null);
        return new OperationEdit(ServiceRules.Create(state, kernel, service), service.Name, Created: true);
    }
}
