using System.Net;
using Fusis.Core.Ipvsadm;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>The ipvsadm rules format against the real ipvsadm 1.31: it restores what we write, we read what it saves.</summary>
public sealed class IpvsadmRulesLabTests
{
    public static TheoryData<string> Cases => RoundTripCases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ipvsadm_restores_our_rules_to_the_same_table_and_we_read_its_save_back(string name)
    {
        RoundTripCase c = RoundTripCases.All[name];
        var table = new IpvsTable([new IpvsTableService(c.Service, c.Destinations)]);
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        ns.Ipvsadm("-R", stdin: IpvsadmRules.Write(table));

        Assert.Equal(c.SaveLines.Order(StringComparer.Ordinal), ns.IpvsadmSave());
        IpvsTableService saved = Assert.Single(IpvsadmRules.Parse(ns.Ipvsadm("-S -n")).Services);
        Assert.Equal(Normalized(c.Service), Normalized(saved.Service));
        Assert.Equal(Sorted(c.Destinations), Sorted(saved.Destinations));

        // and what we write for the kernel's table is, line for line, what ipvsadm saves
        IpvsService inKernel = Assert.Single(ipvs.GetServices());
        string ours = IpvsadmRules.Write(new IpvsTable([new IpvsTableService(inKernel, ipvs.GetDestinations(inKernel.Key))]));
        Assert.Equal(ns.IpvsadmSave(), ours.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void What_ipvsadm_save_leaves_out_survives_our_rules()
    {
        var key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.9"), 80);
        var destination = new IpvsDestination { Address = IPAddress.Parse("198.18.1.1"), Port = 80, UpperThreshold = 100, LowerThreshold = 50 };
        var table = new IpvsTable([new IpvsTableService(new IpvsService { Key = key, Scheduler = "lc", Netmask = 0xFFFFFF00 }, [destination])]);
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        ns.Ipvsadm("-R", stdin: IpvsadmRules.Write(table));

        Assert.Equal(0xFFFFFF00u, ipvs.GetService(key)!.Netmask);
        Assert.Equal(destination, Assert.Single(ipvs.GetDestinations(key)).WithoutCounters());
    }

    private static IpvsService Normalized(IpvsService service) => service with { Statistics = null, Netmask = service.EffectiveNetmask };

    private static IpvsDestination[] Sorted(IEnumerable<IpvsDestination> destinations) =>
        destinations.Select(d => d.WithoutCounters()).OrderBy(d => d.ToString(), StringComparer.Ordinal).ToArray();
}
