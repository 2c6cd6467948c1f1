using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Model;

/// <summary>The kernel's services (the truth of what runs) joined with the names of those Fusis owns.</summary>
public static class ServiceCatalog
{
    /// <summary>Owned services first, by name; then the others, as ipvsadm names them.</summary>
    public static IReadOnlyList<FusisService> Read(IIpvsKernel kernel, DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return Read(kernel, desired.Services.ToDictionary(s => s.Key, s => s.Name));
    }

    /// <summary>The same, with the owned services' names given by key.</summary>
    public static IReadOnlyList<FusisService> Read(IIpvsKernel kernel, IReadOnlyDictionary<IpvsServiceKey, string> names)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(names);
        return kernel.GetServices()
            .Select(s => new FusisService(s, names.GetValueOrDefault(s.Key), kernel.GetDestinations(s.Key).Count))
            .OrderBy(s => s.Managed ? 0 : 1)
            .ThenBy(s => s.Name ?? s.Service, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
