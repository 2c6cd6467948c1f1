using Fusis.Daemon.Agent;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Tests;

public sealed class AgentOptionsTests
{
    [Fact]
    public void Tunnel_modes_and_a_second_address_are_read_from_the_flags()
    {
        AgentOptions options = AgentHost.Parse(["--service", "web:80:1:gue/6080/checksum,api:81:2:gre", "--address", "fd00:20::21"]);

        Assert.Equal([(IpvsTunnelType.Gue, (ushort)6080, IpvsTunnelChecksum.Checksum), (IpvsTunnelType.Gre, (ushort)0, IpvsTunnelChecksum.None)],
            options.Services.Select(s => (s.TunnelType, s.TunnelPort, s.TunnelChecksum)));
        Assert.Equal("fd00:20::21", Assert.Single(options.Addresses).ToString());
    }

    [Theory]
    [InlineData("--service", "web:80:1:gre/checksum", "GRE with checksums")]
    [InlineData("--service", "web:80:1:gue", "gue/PORT")]
    [InlineData("--address", "fe80::1%2", "without a zone")]
    [InlineData("--address", "10.0.0.1,10.0.0.2", "is not an IPv4 or IPv6 address")]
    public void What_the_agent_cannot_prepare_or_read_is_refused_by_name(string flag, string value, string expected)
    {
        string[] args = flag == "--service" ? [flag, value] : ["--service", "web:80", flag, value];

        var error = Assert.Throws<ConfigurationException>(() => AgentHost.Parse(args));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tunnel_module_that_cannot_be_loaded_is_refused_naming_it_before_anything_is_changed()
    {
        // This host's kernel has no ip6_tunnel (and no modules to load); the lab's has, and its agents load it.
        Assert.False(Directory.Exists("/sys/module/ip6_tunnel"), "this test needs a host without ip6_tunnel");
        AgentOptions options = AgentHost.Parse(["--service", "web:80:1:ipip"]);
        using var network = new BackendNetwork(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var error = Assert.Throws<BackendNetworkException>(() => network.Converge(
            [new BackendVip(System.Net.IPAddress.Parse("fd00:99::1"), options.Services[0], System.Net.Sockets.AddressFamily.InterNetworkV6)]));

        Assert.Contains("kernel module ip6_tunnel", error.Message, StringComparison.Ordinal);
    }
}
