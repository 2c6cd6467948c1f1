using System.Net.Sockets;

namespace Fusis.Core.Tests;

public sealed class NetmaskTests
{
    [Theory]
    [InlineData(AddressFamily.InterNetwork, 0xFFFFFF00u, "255.255.255.0")]
    [InlineData(AddressFamily.InterNetwork, 0xFFFFFFFFu, "255.255.255.255")]
    [InlineData(AddressFamily.InterNetworkV6, 64u, "64")]
    public void Formats_and_reads_back(AddressFamily family, uint netmask, string text)
    {
        Assert.Equal(text, Netmask.Format(family, netmask));
        Assert.True(Netmask.TryParse(family, text, out uint parsed, out _));
        Assert.Equal(netmask, parsed);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork, "24", "'24' is not an IPv4 netmask (four dotted numbers, contiguous ones then zeros, such as 255.255.255.0)")]        // not 0.0.0.24
    [InlineData(AddressFamily.InterNetwork, "fd00::", "'fd00::' is not an IPv4 netmask (four dotted numbers, contiguous ones then zeros, such as 255.255.255.0)")]
    [InlineData(AddressFamily.InterNetwork, "1.2.3", "'1.2.3' is not an IPv4 netmask (four dotted numbers, contiguous ones then zeros, such as 255.255.255.0)")]        // was 1.2.0.3
    [InlineData(AddressFamily.InterNetwork, "255.0.255.0", "'255.0.255.0' is not an IPv4 netmask (four dotted numbers, contiguous ones then zeros, such as 255.255.255.0)")]
    [InlineData(AddressFamily.InterNetworkV6, "0", "an IPv6 netmask is a prefix length 1-128, not '0'")]
    [InlineData(AddressFamily.InterNetworkV6, "255.255.255.0", "an IPv6 netmask is a prefix length 1-128, not '255.255.255.0'")]
    public void Refuses_what_is_not_a_netmask_of_the_family(AddressFamily family, string text, string problem)
    {
        Assert.False(Netmask.TryParse(family, text, out _, out string why));
        Assert.Equal(problem, why);
    }
}
