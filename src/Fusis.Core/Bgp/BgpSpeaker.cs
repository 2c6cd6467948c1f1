using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusis.Core.Bgp;

/// <summary>
/// What the balancer's BGP daemon (BIRD 2) announces and to whom: the VIPs it is told to, each as a /32 or /128, to
/// each peer of its family. BIRD learns them from the VIP interface (<c>protocol direct</c>): a VIP is announced only
/// while it is on the interface, lies in one of the VIP ranges and is in the announced set of the configuration's
/// export filter. A VIP taken off the interface (a balancer released its VIPs after a crash) is withdrawn at once by
/// BIRD itself. Fusis writes the configuration and reloads it, and never speaks BGP itself.
/// </summary>
public sealed record BgpSpeaker(uint LocalAs, IPAddress RouterId, string VipInterface, IReadOnlyList<IPNetwork> VipRanges, IReadOnlyList<BgpPeer> Peers)
{
    /// <summary>How long a peer waits for this balancer's keepalives before it drops the session and its routes (BGP's minimum is 3 s).</summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Every problem of the settings at once (empty: usable).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (LocalAs is 0 or uint.MaxValue)
        {
            problems.Add($"the local AS {LocalAs} is reserved; use 1 to 4294967294 (a private one: 64512-65534 or 4200000000-4294967294)");
        }

        if (RouterId.AddressFamily != AddressFamily.InterNetwork || RouterId.Equals(IPAddress.Any))
        {
            problems.Add($"the router ID {RouterId} is not an IPv4 address (BGP identifies a router by one, even on IPv6)");
        }

        if (VipInterface.Length is 0 or > 15 || VipInterface.Any(c => char.IsWhiteSpace(c) || c is '"' or '/' or '\\' or ':'))
        {
            problems.Add($"the VIP interface '{VipInterface}' is not an interface name");
        }

        if (VipRanges.Count == 0)
        {
            problems.Add("no VIP range: nothing would be announced (give the ranges the VIPs come from)");
        }

        if (Peers.Count == 0)
        {
            problems.Add("no BGP peer: nobody would hear the announcements");
        }

        foreach (BgpPeer peer in Peers.Where(p => p.As is 0 or uint.MaxValue))
        {
            problems.Add($"peer {peer.Address}: AS {peer.As} is reserved");
        }

        foreach (BgpPeer peer in Peers.GroupBy(p => p.Address).Where(g => g.Count() > 1).Select(g => g.First()))
        {
            problems.Add($"peer {peer.Address} is given twice");
        }

        if (HoldTime < TimeSpan.FromSeconds(3) || HoldTime > TimeSpan.FromSeconds(65535) || HoldTime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add($"the hold time {HoldTime.TotalSeconds} s is not a whole number of seconds from 3 to 65535");
        }

        return problems;
    }

    /// <summary>The BIRD 2 configuration announcing <paramref name="announced"/> (those in the ranges); the settings must have no <see cref="Problems"/>.</summary>
    public string ToBirdConfiguration(IEnumerable<IPAddress> announced)
    {
        ArgumentNullException.ThrowIfNull(announced);
        if (Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException($"the BGP settings are not usable: {string.Join("; ", problems)}");
        }

        var text = new StringBuilder();
        text.AppendLine("# Written by Fusis: rewritten whenever its BGP settings change; do not edit.");
        text.AppendLine(CultureInfo.InvariantCulture, $"router id {RouterId};");
        text.AppendLine("timeformat protocol iso long;"); // what BirdControl reads a session's start from
        text.AppendLine("protocol device { scan time 1; }");
        foreach (AddressFamily family in Families)
        {
            string channel = Channel(family);
            text.AppendLine(CultureInfo.InvariantCulture, $"protocol direct fusis_vips_{channel} {{ {channel}; interface \"{VipInterface}\"; }}");

            // Only the announced VIPs, each as a host route: the interface may hold other addresses (and VIPs withdrawn).
            int host = family == AddressFamily.InterNetwork ? 32 : 128;
            string[] routes = [.. announced.Where(a => a.AddressFamily == family && VipRanges.Any(r => r.Contains(a))).Distinct().Order(PlainAddress.Order).Select(a => $"{a}/{host}")];
            string accept = routes.Length == 0 ? string.Empty : $"if net ~ [ {string.Join(", ", routes)} ] then accept; ";
            text.AppendLine(CultureInfo.InvariantCulture, $"filter fusis_export_{channel} {{ {accept}reject; }}");
        }

        int index = 0;
        foreach (BgpPeer peer in Peers)
        {
            string channel = Channel(peer.Address.AddressFamily);
            text.AppendLine(CultureInfo.InvariantCulture, $"protocol bgp fusis_peer{++index} {{");
            text.AppendLine(CultureInfo.InvariantCulture, $"  local as {LocalAs};");
            text.AppendLine(CultureInfo.InvariantCulture, $"  neighbor {peer.Address} as {peer.As};");
            text.AppendLine(CultureInfo.InvariantCulture, $"  hold time {(int)HoldTime.TotalSeconds};");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {channel} {{ import none; export filter fusis_export_{channel}; }};");
            text.AppendLine("}");
        }

        return text.ToString();
    }

    // The families with a range or a peer: a direct protocol and a filter each.
    private IEnumerable<AddressFamily> Families =>
        VipRanges.Select(r => r.BaseAddress.AddressFamily).Concat(Peers.Select(p => p.Address.AddressFamily)).Distinct().Order();

    private static string Channel(AddressFamily family) => family == AddressFamily.InterNetwork ? "ipv4" : "ipv6";
}
