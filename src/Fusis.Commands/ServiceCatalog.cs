using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>The kernel's services (the truth of what runs) joined with the names of those Fusis owns.</summary>
internal static class ServiceCatalog
{
    /// <summary>Owned services first, by name; then the others, as ipvsadm names them.</summary>
    public static IReadOnlyList<FusisService> Read(IIpvsKernel kernel, DesiredState desired)
    {
        var names = desired.Services.ToDictionary(s => s.Key, s => s.Name);
        return kernel.GetServices()
            .Select(s => new FusisService(s, names.GetValueOrDefault(s.Key), kernel.GetDestinations(s.Key).Count))
            .OrderBy(s => s.Managed ? 0 : 1)
            .ThenBy(s => s.Name ?? s.Service, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
