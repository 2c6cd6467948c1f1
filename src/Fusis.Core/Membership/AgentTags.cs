using System.Globalization;
using System.Net;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Membership;

/// <summary>
/// The Serf tags of the Fusis cluster protocol. An agent announces what it serves in one compact tag,
/// <c>fusis-services=web:8080,api:9000:5:route,dns:53:1:gue/6080/checksum</c>: comma-separated
/// <c>service:port[:weight[:mode]]</c> entries. The mode is nat, route or tunnel (ipip), or a tunnel's kind with its
/// options: ipip, <c>gre[/CHECKSUM]</c>, <c>gue/PORT[/CHECKSUM]</c> (CHECKSUM none, checksum or remote-checksum; the
/// PORT is where this backend receives GUE); default the service's. A dual-stack backend lists its addresses of the
/// other family in <c>fusis-addresses=fd00::21</c> (at most <see cref="MaxAddresses"/>), so services of that family
/// get it as a destination too. Serf limits all of a member's tags to 512 encoded bytes, which this format keeps
/// about 25 entries within. The balancer tags itself <c>fusis-role=balancer</c> and publishes its VIPs as
/// <c>fusis-vips=web=198.18.100.1,api=fd00::10</c> for agents that must configure them (direct routing and tunnels).
/// </summary>
public static class AgentTags
{
    public const string Role = "fusis-role";
    public const string Services = "fusis-services";
    public const string Draining = "fusis-drain";
    public const string Vips = "fusis-vips";
    public const string Addresses = "fusis-addresses";

    /// <summary>The tags membership planning reads (a member whose other tags change plans the same).</summary>
    public static IReadOnlyList<string> Planning { get; } = [Services, Draining, Addresses];

    /// <summary>How many further addresses a member may list (one per other family, and a spare).</summary>
    public const int MaxAddresses = 2;
    public const string AgentRole = "agent";
    public const string BalancerRole = "balancer";

    /// <summary>The Serf query an agent sends to learn whether the balancer still routes to it (payload: its node name).</summary>
    public const string DrainQuery = "fusis-drain-status";

    public static string Format(IEnumerable<ServiceAnnouncement> announcements)
    {
        ArgumentNullException.ThrowIfNull(announcements);
        return string.Join(',', announcements.Select(a => a.Mode is { } mode
            ? $"{a.Service}:{a.Port}:{a.Weight}:{ModeText(a, mode)}"
            : a.Weight != 1 ? $"{a.Service}:{a.Port}:{a.Weight}" : $"{a.Service}:{a.Port}"));
    }

    /// <summary>Parses a <see cref="Services"/> tag (or one --service argument); each bad entry is skipped and described.</summary>
    public static IReadOnlyList<ServiceAnnouncement> Parse(string value, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(value);
        var entries = new List<ServiceAnnouncement>();
        var found = new List<string>();
        foreach (string entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = entry.Split(':');
            if (parts.Length is < 2 or > 4 || !DesiredStateNames.IsValid(parts[0])
                || !ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
            {
                found.Add($"'{entry}' is not service:port[:weight[:mode]]");
                continue;
            }

            int weight = 1;
            if (parts.Length > 2 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight > IpvsDestination.MaxWeight))
            {
                found.Add($"'{entry}': the weight is 0 to {IpvsDestination.MaxWeight}");
                continue;
            }

            var announcement = new ServiceAnnouncement(parts[0], port, weight);
            if (parts.Length > 3)
            {
                if (ParseMode(parts[3], announcement) is not { } withMode)
                {
                    found.Add($"'{entry}': the mode is nat, route, tunnel, ipip, gre[/CHECKSUM] or gue/PORT[/CHECKSUM] (CHECKSUM {Words.TunnelChecksums.Choices})");
                    continue;
                }

                announcement = withMode;
            }

            entries.Add(announcement);
        }

        problems = found;
        return entries;
    }

    /// <summary>A member's <see cref="Addresses"/> tag: its addresses besides the one it gossips from; bad ones are left out.</summary>
    public static IReadOnlyList<IPAddress> ParseAddresses(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => PlainAddress.TryParse(text, out IPAddress? address) ? address : null)
            .OfType<IPAddress>()
            .Take(MaxAddresses)
            .ToList();
    }

    /// <summary>The balancer's <see cref="Vips"/> tag: service name → address, for the services that have one.</summary>
    public static string FormatVips(IEnumerable<(string Service, IPAddress Address)> vips) =>
        string.Join(',', vips.Select(v => $"{v.Service}={v.Address}"));

    public static IReadOnlyDictionary<string, IPAddress> ParseVips(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var vips = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
        foreach (string entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IPAddress.TryParse(entry[(equals + 1)..], out IPAddress? address))
            {
                vips[entry[..equals]] = address;
            }
        }

        return vips;
    }

    // The API's words, but only their canonical spelling: the tag has no aliases.
    private static string ModeText(ServiceAnnouncement announcement, IpvsForwardingMethod mode)
    {
        if (mode != IpvsForwardingMethod.Tunnel || announcement is { TunnelType: IpvsTunnelType.IpIp, TunnelChecksum: IpvsTunnelChecksum.None })
        {
            return Words.ForwardingMethods.Word(mode);
        }

        string text = Words.TunnelTypes.Word(announcement.TunnelType);
        if (announcement.TunnelType == IpvsTunnelType.Gue)
        {
            text += "/" + announcement.TunnelPort.ToString(CultureInfo.InvariantCulture);
        }

        return announcement.TunnelChecksum == IpvsTunnelChecksum.None ? text : text + "/" + Words.TunnelChecksums.Word(announcement.TunnelChecksum);
    }

    private static ServiceAnnouncement? ParseMode(string text, ServiceAnnouncement announcement)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 1 && Words.ForwardingMethods.Parse(text) is { } mode && mode != IpvsForwardingMethod.Local && Words.ForwardingMethods.Word(mode) == text)
        {
            return announcement with { Mode = mode };
        }

        if (Words.TunnelTypes.Parse(parts[0]) is not { } type || Words.TunnelTypes.Word(type) != parts[0])
        {
            return null;
        }

        var tunnel = announcement with { Mode = IpvsForwardingMethod.Tunnel, TunnelType = type };
        int next = 1;
        if (type == IpvsTunnelType.Gue)
        {
            if (parts.Length < 2 || !ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
            {
                return null;
            }

            tunnel = tunnel with { TunnelPort = port };
            next = 2;
        }

        if (parts.Length == next)
        {
            return tunnel;
        }

        // A checksum option is GRE's or GUE's; ipip has none.
        return parts.Length == next + 1 && type != IpvsTunnelType.IpIp
            && Words.TunnelChecksums.Parse(parts[next]) is { } checksum && Words.TunnelChecksums.Word(checksum) == parts[next]
            ? tunnel with { TunnelChecksum = checksum }
            : null;
    }
}
