using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Backends;

/// <summary>This host's kernel (the truth of what runs) joined with the desired state's names and labels.</summary>
internal static class KernelView
{
    public static IReadOnlyList<FusisService> Services(IIpvsKernel kernel, DesiredState desired) => ServiceCatalog.Read(kernel, desired);

    public static IReadOnlyList<FusisDestination> Destinations(IIpvsKernel kernel, DesiredState desired, FusisService service)
    {
        DesiredService? owned = service.Name is null ? null : desired.Find(service.Name);
        // By address and port, not in the kernel's order (the newest first): the same listing on every balancer.
        return Reconcile.HashingOrder.Canonical(kernel.GetDestinations(service.Key))
            .Select(d => new FusisDestination(service.Name, service.Service, d, FusisDestination.StateOf(owned?.LabelOf(d))))
            .ToList();
    }

    public static FusisInfo Info(IIpvsKernel kernel)
    {
        IpvsInfo info = kernel.GetInfo();
        return new FusisInfo(info.Version.ToString(), info.ConnectionTableSize, kernel.GetServices().Count);
    }
}
