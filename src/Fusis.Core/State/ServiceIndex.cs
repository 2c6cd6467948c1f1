using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>
/// Where each service of one list stands, by key and by name (case-insensitive; the first of a name or key twice,
/// which only an invalid state has). Built once per list, and handed on to the list an in-place change makes (same keys
/// and names in the same places), so a change finds its services at the same cost at any size.
/// </summary>
internal sealed class ServiceIndex
{
    public ServiceIndex(IReadOnlyList<DesiredService> services)
    {
        Services = services;
        ByKey = new Dictionary<IpvsServiceKey, int>(services.Count);
        ByName = new Dictionary<string, int>(services.Count, StringComparer.OrdinalIgnoreCase);
        for (int index = 0; index < services.Count; index++)
        {
            ByKey.TryAdd(services[index].Key, index);
            ByName.TryAdd(services[index].Name, index);
        }
    }

    private ServiceIndex(IReadOnlyList<DesiredService> services, ServiceIndex same)
    {
        Services = services;
        ByKey = same.ByKey;
        ByName = same.ByName;
    }

    /// <summary>The list this index is of.</summary>
    public IReadOnlyList<DesiredService> Services { get; }

    public Dictionary<IpvsServiceKey, int> ByKey { get; }

    public Dictionary<string, int> ByName { get; }

    /// <summary>This index for <paramref name="services"/>, which has the same keys and names in the same places.</summary>
    public ServiceIndex HandedTo(IReadOnlyList<DesiredService> services) => new(services, this);
}
