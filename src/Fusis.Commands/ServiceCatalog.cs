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

    /// <summary>The owned services the kernel has, by name: one dump, no destination counts.</summary>
    public static IReadOnlyList<(string Name, IpvsServiceKey Key)> Named(IIpvsKernel kernel, DesiredState desired)
    {
        var names = desired.Services.ToDictionary(s => s.Key, s => s.Name);
        return kernel.GetServices()
            .Where(s => names.ContainsKey(s.Key))
            .Select(s => (names[s.Key], s.Key))
            .OrderBy(s => s.Item1, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
