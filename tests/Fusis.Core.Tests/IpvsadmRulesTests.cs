using System.Net;
using System.Net.Sockets;
using Fusis.Core.Ipvsadm;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Tests;

public sealed class IpvsadmRulesTests
{
    // Captured from `ipvsadm -S -n` (1.31) in the lab for these exact tables.
    private const string Captured = """
        -A -t 198.18.0.1:80 -s rr
        -a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 1
        -a -t 198.18.0.1:80 -r 198.18.1.2:80 -g -w 0
        -a -t 198.18.0.1:80 -r 198.18.1.3:80 -i -w 5 --tun-type ipip
        -a -t 198.18.0.1:80 -r 198.18.1.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
        -a -t 198.18.0.1:80 -r 198.18.1.7:80 -i -w 1 --tun-type gue --tun-port 6081 --tun-nocsum
        -A -u 198.18.0.3:5060 -s sh -p 360 -M 255.255.0.0 --pe sip -o -b sh-fallback,sh-port
        -A -t [fd00::1]:443 -s wlc
        -a -t [fd00::1]:443 -r 198.18.1.8:443 -i -w 2 --tun-type ipip
        -a -t [fd00::1]:443 -r [fd00:1::1]:443 -m -w 3
        -A -t [fd00::2]:80 -s lblcr -p 300 -M 64
        -A -f 7 -s sh -b sh-fallback,sh-port
        -a -f 7 -r 198.18.1.9:0 -g -w 1
        -A -f 9 -6 -s mh -b mh-fallback,mh-port
        -A -t 198.18.0.8:80 -s rr -b flag-3

        """;

    [Fact]
    public void Reads_ipvsadm_output_and_writes_it_back_exactly()
    {
        IpvsTable table = IpvsadmRules.Parse(Captured);

        Assert.Equal(7, table.Services.Count);
        Assert.Equal(15, table.ObjectCount); // one object a line
        Assert.Equal(Captured, IpvsadmRules.Write(table));
    }

    [Fact]
    public void Reads_every_option_into_the_model()
    {
        IpvsTable table = IpvsadmRules.Parse(Captured);

        IpvsTableService sip = table.Services[1];
        Assert.Equal(
            new IpvsService
            {
                Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("198.18.0.3"), 5060),
                Scheduler = "sh",
                Flags = IpvsServiceFlags.Persistent | IpvsServiceFlags.OnePacket | IpvsServiceFlags.SchedulerFallback | IpvsServiceFlags.SchedulerPort,
                Timeout = 360,
                Netmask = 0xFFFF0000,
                PersistenceEngine = "sip",
            },
            sip.Service);
        Assert.Equal(64u, table.Services[3].Service.Netmask);
        Assert.Equal(IpvsServiceKey.ForFirewallMark(9, AddressFamily.InterNetworkV6), table.Services[5].Service.Key);
        Assert.Equal(
            new IpvsDestination
            {
                Address = IPAddress.Parse("198.18.1.4"),
                Port = 80,
                ForwardingMethod = IpvsForwardingMethod.Tunnel,
                TunnelType = IpvsTunnelType.Gue,
                TunnelPort = 6080,
                TunnelChecksum = IpvsTunnelChecksum.Checksum,
            },
            table.Services[0].Destinations[3]);
    }

    [Fact]
    public void Writes_what_ipvsadm_leaves_out_but_accepts_netmask_without_persistence_and_thresholds()
    {
        var key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.9"), 80);
        var table = new IpvsTable(
        [
            new IpvsTableService(
                new IpvsService { Key = key, Scheduler = "lc", Netmask = 0xFFFFFF00 },
                [new IpvsDestination { Address = IPAddress.Parse("198.18.1.1"), Port = 80, UpperThreshold = 100, LowerThreshold = 50 }]),
        ]);

        string text = IpvsadmRules.Write(table);

        Assert.Equal("-A -t 198.18.0.9:80 -s lc -M 255.255.255.0\n-a -t 198.18.0.9:80 -r 198.18.1.1:80 -m -w 1 -x 100 -y 50\n", text);
        Assert.Equal(table, IpvsadmRules.Parse(text));
    }

    [Fact]
    public void Accepts_long_options_any_order_default_persistence_and_a_real_server_without_port()
    {
        IpvsTable table = IpvsadmRules.Parse("--add-service --scheduler wrr --tcp-service 198.18.0.1:443 --persistent\n-a -w 4 -r 198.18.1.1 -t 198.18.0.1:443\n");

        IpvsTableService service = Assert.Single(table.Services);
        Assert.Equal((IpvsServiceFlags.Persistent, 360u), (service.Service.Flags, service.Service.Timeout));
        IpvsDestination destination = Assert.Single(service.Destinations);
        Assert.Equal((443, IpvsForwardingMethod.DirectRoute, 4), (destination.Port, destination.ForwardingMethod, destination.Weight));
    }

    [Theory]
    [InlineData("-A -t web.example:80 -s rr", "line 1: 'web.example' is not an IP address (host names are not read: save with ipvsadm -S -n)")]
    [InlineData("-A -t 198.18.0.1:http -s rr", "line 1: 'http' is not a port number 0-65535 (port names are not read: save with ipvsadm -S -n)")]
    [InlineData("\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m", "line 2: destination for service TCP 198.18.0.1:80, which no earlier -A line defines")]
    [InlineData("-A -t 198.18.0.1:80 -s rr --bogus", "line 1: unknown service option '--bogus'")]
    [InlineData("-A -t 198.18.0.1:80 -s rr\n-A -t 198.18.0.1:80 -s wrr", "line 2: service TCP 198.18.0.1:80 is defined twice")]
    [InlineData("-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -w 70000", "line 2: weight 70000 is outside 0-65535")]
    [InlineData("-A -t [fd00::1]:80 -s rr -M 255.255.255.0", "line 1: an IPv6 netmask is a prefix length 1-128, not '255.255.255.0'")]
    [InlineData("-A -s rr", "line 1: no service address (-t, -u, --sctp-service or -f)")]
    [InlineData("-A -f 3 -s rr\n-a -f 3 -t 198.18.0.1:80 -r 198.18.1.1", "line 2: a service is either -t/-u/--sctp-service or -f, not both")]
    [InlineData("-A -f 3 -s rr\n-a -f 3 -w 2", "line 2: a destination needs -r")]
    [InlineData("-D -t 198.18.0.1:80", "line 1: '-D' is not a rule Fusis reads (only -A and -a, as ipvsadm -S writes them)")]
    [InlineData("-A -t 198.18.0.1:80 -s rr -b sh-bogus", "line 1: unknown scheduler flag 'sh-bogus'")]
    public void Bad_rules_name_the_line_and_the_problem(string text, string expected)
    {
        var error = Assert.Throws<IpvsadmFormatException>(() => IpvsadmRules.Parse(text));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
