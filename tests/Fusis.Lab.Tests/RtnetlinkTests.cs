using System.Net;
using Fusis.Netlink;
using Fusis.Netlink.Route;

namespace Fusis.Lab.Tests;

/// <summary>The dummy VIP interface and its addresses, cross-checked with iproute2.</summary>
public sealed class RtnetlinkTests
{
    [Fact]
    public void Dummy_link_with_ipv4_and_ipv6_addresses_as_iproute2_shows_it()
    {
        using var ns = new LabNamespace();
        using RtnetlinkClient rt = RtnetlinkClient.Open(ns.Path);

        NetworkLink created = rt.CreateDummyLink("fusis0");
        rt.SetLinkUp("fusis0");
        rt.AddAddress("fusis0", IPAddress.Parse("198.18.7.1"), 32);
        rt.AddAddress("fusis0", IPAddress.Parse("fd00::7"), 128);

        Assert.False(created.IsUp);
        Assert.Equal("dummy", created.Kind);
        string details = ns.Exec("ip -d -o link show fusis0");
        Assert.Contains("dummy", details, StringComparison.Ordinal);
        Assert.Contains("state UNKNOWN", details, StringComparison.Ordinal); // dummy links are "UNKNOWN" once up
        Assert.True(rt.GetLink("fusis0")!.IsUp);
        Assert.Equal(["198.18.7.1/32", "fd00::7/128"], IproutedAddresses(ns, "fusis0"));
        Assert.Equal(["198.18.7.1/32", "fd00::7/128"], Global(rt.GetAddresses("fusis0")));

        rt.DeleteAddress("fusis0", IPAddress.Parse("198.18.7.1"), 32);
        Assert.Equal(["fd00::7/128"], IproutedAddresses(ns, "fusis0"));

        rt.SetLinkUp("fusis0", up: false);
        Assert.False(rt.GetLink("fusis0")!.IsUp);
        rt.DeleteLink("fusis0");
        Assert.Null(rt.GetLink("fusis0"));
        Assert.Empty(ns.Exec("ip -o link show fusis0", check: false));
    }

    [Fact]
    public void Addresses_added_by_iproute2_are_read_back()
    {
        using var ns = new LabNamespace();
        ns.Exec("ip link add vip9 type dummy");
        ns.Exec("ip addr add 198.18.8.9/24 dev vip9");
        ns.Exec("ip addr add fd00:8::9/64 dev vip9 nodad");
        using RtnetlinkClient rt = RtnetlinkClient.Open(ns.Path);

        Assert.Equal(["198.18.8.9/24", "fd00:8::9/64"], Global(rt.GetAddresses("vip9")));
        Assert.Contains(rt.GetLinks(), l => l.Name == "lo" && l.IsUp);
        Assert.Contains(rt.GetLinks(), l => l.Name == "vip9" && l.Kind == "dummy");
    }

    [Fact]
    public void Errors_name_the_link_and_change_nothing()
    {
        using var ns = new LabNamespace();
        using RtnetlinkClient rt = RtnetlinkClient.Open(ns.Path);
        rt.CreateDummyLink("fusis0");
        rt.AddAddress("fusis0", IPAddress.Parse("198.18.7.1"), 32);

        var duplicateLink = Assert.Throws<NetlinkException>(() => rt.CreateDummyLink("fusis0"));
        var duplicateAddress = Assert.Throws<NetlinkException>(() => rt.AddAddress("fusis0", IPAddress.Parse("198.18.7.1"), 32));
        var missingAddress = Assert.Throws<NetlinkException>(() => rt.DeleteAddress("fusis0", IPAddress.Parse("198.18.7.2"), 32));
        var missingLink = Assert.Throws<NetlinkException>(() => rt.AddAddress("nosuch0", IPAddress.Parse("198.18.7.3"), 32));

        Assert.Equal((Errno.EEXIST, "link fusis0 already exists"), (duplicateLink.Errno, Reason(duplicateLink)));
        Assert.Equal((Errno.EEXIST, "fusis0 already has 198.18.7.1/32"), (duplicateAddress.Errno, Reason(duplicateAddress)));
        Assert.Equal((Errno.EADDRNOTAVAIL, "fusis0 does not have 198.18.7.2/32"), (missingAddress.Errno, Reason(missingAddress)));
        Assert.Equal(Errno.ENODEV, missingLink.Errno);
        Assert.Contains("link nosuch0 does not exist", missingLink.Message, StringComparison.Ordinal);
        Assert.Equal(["198.18.7.1/32"], IproutedAddresses(ns, "fusis0"));
    }

    private static string Reason(NetlinkException e) => e.Message.Split(" failed: ")[1].Split(" (kernel:")[0];

    // Bringing a link up adds an IPv6 link-local address, asynchronously: compare global addresses only.
    private static string[] Global(IEnumerable<InterfaceAddress> addresses) =>
        addresses.Where(a => !a.Address.IsIPv6LinkLocal).Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray();

    // `ip -o addr show dev X scope global` lines: "3: fusis0    inet 198.18.7.1/32 scope global fusis0 ..."
    private static string[] IproutedAddresses(LabNamespace ns, string link) =>
        ns.Exec($"ip -o addr show dev {link} scope global")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 3 && f[2] is "inet" or "inet6")
            .Select(f => f[3])
            .Order(StringComparer.Ordinal)
            .ToArray();
}
