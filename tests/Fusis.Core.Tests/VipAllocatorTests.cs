using System.Net;
using Fusis.Core.Membership;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Tests;

public sealed class VipAllocatorTests
{
    [Fact]
    public void The_lowest_host_address_not_used_by_owned_retired_or_kernel_services()
    {
        var state = new DesiredState(
            [new DesiredService("a", new IpvsService { Key = Samples.Tcp("198.18.100.1", 80) }, [])],
            [Samples.Tcp("198.18.100.2", 80)]);

        IPAddress? next = VipAllocator.Allocate(IPNetwork.Parse("198.18.100.0/24"), state, [Samples.Tcp("198.18.100.3", 443)]);

        Assert.Equal(IPAddress.Parse("198.18.100.4"), next);
    }

    [Fact]
    public void A_full_range_gives_nothing_and_IPv6_ranges_work()
    {
        var state = new DesiredState([new DesiredService("a", new IpvsService { Key = Samples.Tcp("198.18.100.1", 80) }, [])], []);

        Assert.Null(VipAllocator.Allocate(IPNetwork.Parse("198.18.100.0/30"), state with { Retired = [Samples.Tcp("198.18.100.2", 80)] }, []));
        Assert.Equal(IPAddress.Parse("fd00::100"), VipAllocator.Allocate(IPNetwork.Parse("fd00::100/120"), state, []));
    }
}
