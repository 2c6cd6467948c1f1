using Fusis.Netlink.Generic;
using Fusis.Netlink.Ipvs;

namespace Fusis.Netlink.Tests;

/// <summary>
/// Read-only netlink against the host's own kernel: every Linux has generic netlink; ours has no IPVS, which is
/// exactly the case whose error message users must be able to act on.
/// </summary>
public sealed class HostKernelTests
{
    [Fact]
    public void Generic_netlink_controller_resolves_itself_and_not_a_made_up_family()
    {
        using var channel = new NetlinkChannel(NetlinkSocket.Open(NetlinkSocket.NetlinkGeneric));

        GenericNetlinkFamily? controller = GenericNetlinkFamily.Resolve(channel, "nlctrl");

        Assert.Equal(GenericNetlinkFamily.ControllerId, controller?.Id);
        Assert.Null(GenericNetlinkFamily.Resolve(channel, "FUSIS_NONE"));
        Assert.Throws<ArgumentException>(() => GenericNetlinkFamily.Resolve(channel, "FUSIS_NO_SUCH_FAMILY"));
    }

    [Fact]
    public void Opening_ipvs_on_a_kernel_without_it_says_to_load_the_module()
    {
        if (File.Exists("/proc/net/ip_vs"))
        {
            using IpvsClient ipvs = IpvsClient.Open(); // this host has IPVS: opening must simply work
            Assert.NotNull(ipvs.GetInfo());
            return;
        }

        var error = Assert.Throws<IpvsUnavailableException>(() => IpvsClient.Open()); // classified by type, not by its text

        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.Contains("modprobe ip_vs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_in_a_namespace_that_does_not_exist_names_it()
    {
        var error = Assert.Throws<NetlinkException>(() => NetlinkSocket.Open(NetlinkSocket.NetlinkGeneric, "/run/netns/fusis-no-such-namespace"));

        Assert.Contains("/run/netns/fusis-no-such-namespace", error.Message, StringComparison.Ordinal);
    }
}
