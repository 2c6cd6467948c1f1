using Fusis.Core.Ipvsadm;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>Reads the kernel's IPVS table: one dump of the services, then one of each listed service's destinations.</summary>
public static class KernelTable
{
    /// <param name="destinationsOf">Whose destinations to read (null: every service's).</param>
    public static IpvsTable Read(IIpvsKernel kernel, Func<IpvsServiceKey, bool>? destinationsOf = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return new IpvsTable(kernel.GetServices()
            .Select(s => new IpvsTableService(s, destinationsOf is null || destinationsOf(s.Key) ? kernel.GetDestinations(s.Key) : []))
            .ToList());
    }
}
