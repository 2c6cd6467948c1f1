using System.Net.Sockets;
using Fusis.Core.Ipvsadm;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>
/// A whole configuration imported as the desired state: the imported services become exactly the owned ones,
/// owned services it no longer names are retired (deleted by the reconcile that follows), and a kernel service
/// Fusis does not own is taken over only when the caller says so.
/// </summary>
public static class ConfigurationImport
{
    /// <summary>
    /// Names for services read from ipvsadm rules, which carry none: the owned name when Fusis already owns the
    /// key, else one derived from the key (tcp-198.18.0.1-80, udp-fd00__1-53, fwm-7, fwm6-7).
    /// </summary>
    public static IReadOnlyList<DesiredService> FromTable(IpvsTable table, DesiredState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return FromTable(table, current.Services.ToDictionary(s => s.Key, s => s.Name));
    }

    /// <summary>The same, with the owned services' names given by key.</summary>
    public static IReadOnlyList<DesiredService> FromTable(IpvsTable table, IReadOnlyDictionary<IpvsServiceKey, string> owned)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(owned);
        return table.Services
            .Select(s => new DesiredService(owned.GetValueOrDefault(s.Service.Key) ?? DefaultName(s.Service.Key), s.Service, s.Destinations))
            .ToList();
    }

    /// <summary>A valid service name made from the key alone.</summary>
    public static string DefaultName(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.IsFirewallMark)
        {
            return key.AddressFamily == AddressFamily.InterNetworkV6 ? $"fwm6-{key.FirewallMark}" : $"fwm-{key.FirewallMark}";
        }

        return $"{key.Protocol.ToString().ToLowerInvariant()}-{key.Address.ToString().Replace(':', '_')}-{key.Port}";
    }

    /// <summary>The next desired state: <paramref name="services"/> owned, every other formerly owned service retired.</summary>
    public static DesiredState Replace(DesiredState current, IReadOnlyList<DesiredService> services)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(services);
        var imported = services.Select(s => s.Key).ToHashSet();
        IReadOnlyList<IpvsServiceKey> retired = current.Retired
            .Concat(current.Services.Select(s => s.Key))
            .Where(k => !imported.Contains(k))
            .Distinct()
            .ToList();
        return current with { Services = services, Retired = retired };
    }

    /// <summary>The imported services that exist in the kernel but that Fusis neither owns nor has retired.</summary>
    public static IReadOnlyList<DesiredService> Unmanaged(DesiredState current, IReadOnlyList<DesiredService> services, IEnumerable<IpvsServiceKey> kernel)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(services);
        var ours = current.Services.Select(s => s.Key).Concat(current.Retired).ToHashSet();
        var present = kernel.ToHashSet();
        return services.Where(s => present.Contains(s.Key) && !ours.Contains(s.Key)).ToList();
    }
}
