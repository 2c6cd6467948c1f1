using Fusis.Core.Ipvsadm;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>Reads the kernel's IPVS table: one dump of the services, then one of each listed service's destinations.</summary>
public static class KernelTable
{
    /// <param name="kernel">The kernel to read.</param>
    /// <param name="destinationsOf">Whose destinations to read (null: every service's).</param>
    public static IpvsTable Read(IIpvsKernel kernel, Func<IpvsServiceKey, bool>? destinationsOf = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return new IpvsTable(kernel.GetServices()
            .Select(s => new IpvsTableService(s, destinationsOf is null || destinationsOf(s.Key) ? kernel.GetDestinations(s.Key) : []))
            .ToList());
    }

    /// <summary>Only the listed services (two requests each): what an incremental change compares against.</summary>
    public static IpvsTable ReadServices(IIpvsKernel kernel, IEnumerable<IpvsServiceKey> keys)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(keys);
        var services = new List<IpvsTableService>();
        foreach (IpvsServiceKey key in keys)
        {
            if (kernel.GetService(key) is { } service)
            {
                services.Add(new IpvsTableService(service, kernel.GetDestinations(key)));
            }
        }

        return new IpvsTable(services);
    }
}
