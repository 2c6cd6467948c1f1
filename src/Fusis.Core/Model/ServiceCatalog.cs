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
        return Read(kernel, desired.Services.ToDictionary(s => s.Key, s => new Owned(s.Name, desired.SnatOf(s).ToString())));
    }

    /// <summary>The same, with the owned services' names and SNAT given by key.</summary>
    public static IReadOnlyList<FusisService> Read(IIpvsKernel kernel, IReadOnlyDictionary<IpvsServiceKey, Owned> owned)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(owned);
        return kernel.GetServices()
            .Select(s => new FusisService(s, owned.GetValueOrDefault(s.Key), kernel.GetDestinations(s.Key).Count))
            .OrderBy(s => s.Managed ? 0 : 1)
            .ThenBy(s => s.Name ?? s.Service, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>What Fusis knows of a service it owns beyond the kernel's view: its name and the SNAT in force.</summary>
    public sealed record Owned(string Name, string Snat);
}
