using System.Globalization;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Membership;

/// <summary>
/// The Serf tags of the Fusis cluster protocol. An agent announces what it serves in one compact tag,
/// <c>fusis-services=web:8080,api:9000:5:route</c>: comma-separated <c>service:port[:weight[:mode]]</c> entries
/// (mode nat, route or tunnel; default the service's). Serf limits all of a member's tags to 512 encoded bytes,
/// which this format keeps about 25 entries within. The balancer tags itself <c>fusis-role=balancer</c> and
/// publishes its VIPs as <c>fusis-vips=web=198.18.100.1,api=fd00::10</c> for agents that must configure them
/// (direct routing and tunnels).
/// </summary>
public static class AgentTags
{
    public const string Role = "fusis-role";
    public const string Services = "fusis-services";
    public const string Draining = "fusis-drain";
    public const string Vips = "fusis-vips";
    public const string AgentRole = "agent";
    public const string BalancerRole = "balancer";

    /// <summary>The Serf query an agent sends to learn whether the balancer still routes to it (payload: its node name).</summary>
    public const string DrainQuery = "fusis-drain-status";

    public static string Format(IEnumerable<ServiceAnnouncement> announcements)
    {
        ArgumentNullException.ThrowIfNull(announcements);
        return string.Join(',', announcements.Select(a => a.Mode is { } mode
            ? $"{a.Service}:{a.Port}:{a.Weight}:{ModeWord(mode)}"
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

            IpvsForwardingMethod? mode = null;
            if (parts.Length > 3 && (mode = ParseMode(parts[3])) is null)
            {
                found.Add($"'{entry}': the mode is nat, route or tunnel");
                continue;
            }

            entries.Add(new ServiceAnnouncement(parts[0], port, weight, mode));
        }

        problems = found;
        return entries;
    }

    /// <summary>The balancer's <see cref="Vips"/> tag: service name → address, for the services that have one.</summary>
    public static string FormatVips(IEnumerable<(string Service, System.Net.IPAddress Address)> vips) =>
        string.Join(',', vips.Select(v => $"{v.Service}={v.Address}"));

    public static IReadOnlyDictionary<string, System.Net.IPAddress> ParseVips(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var vips = new Dictionary<string, System.Net.IPAddress>(StringComparer.OrdinalIgnoreCase);
        foreach (string entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && System.Net.IPAddress.TryParse(entry[(equals + 1)..], out System.Net.IPAddress? address))
            {
                vips[entry[..equals]] = address;
            }
        }

        return vips;
    }

    private static string ModeWord(IpvsForwardingMethod mode) => Vocabulary.Words.ForwardingMethods.Word(mode);

    // The API's words, but only their canonical spelling (nat, route, tunnel): the tag has no aliases.
    private static IpvsForwardingMethod? ParseMode(string word) =>
        Vocabulary.Words.ForwardingMethods.Parse(word) is { } mode && mode != IpvsForwardingMethod.Local && Vocabulary.Words.ForwardingMethods.Word(mode) == word ? mode : null;
}
