using System.Net;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>Every option, both directions, against the real kernel and the real ipvsadm 1.31.</summary>
public sealed class IpvsRoundTripTests
{
    public static TheoryData<string> Cases => RoundTripCases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void What_Fusis_writes_ipvsadm_saves_exactly(string name)
    {
        RoundTripCase c = RoundTripCases.All[name];
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        ipvs.AddService(c.Service);
        foreach (IpvsDestination destination in c.Destinations)
        {
            ipvs.AddDestination(c.Service.Key, destination);
        }

        Assert.Equal(c.SaveLines.Order(StringComparer.Ordinal), ns.IpvsadmSave());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void What_ipvsadm_restores_Fusis_reads_exactly(string name)
    {
        RoundTripCase c = RoundTripCases.All[name];
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        ns.Ipvsadm("-R", stdin: string.Join('\n', c.SaveLines) + "\n");

        IpvsService service = Assert.Single(ipvs.GetServices());
        Assert.Equal(Settings(c.Service), Settings(service));
        Assert.Equal(Settings(c.Service), Settings(ipvs.GetService(c.Service.Key)!));
        Assert.Equal(Sorted(c.Destinations), Sorted(ipvs.GetDestinations(service.Key)));
    }

    [Fact]
    public void Pipelined_batch_writes_the_same_table_as_ipvsadm_restore()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        var operations = new List<IpvsOperation>();
        var expected = new List<string>();
        foreach (RoundTripCase c in RoundTripCases.All.Values.Where(c => !c.Name.StartsWith("scheduler ", StringComparison.Ordinal)))
        {
            operations.Add(IpvsOperation.AddService(c.Service));
            operations.AddRange(c.Destinations.Select(d => IpvsOperation.AddDestination(c.Service.Key, d)));
            expected.AddRange(c.SaveLines);
        }

        IReadOnlyList<IpvsOperationResult> results = ipvs.Apply(operations);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Equal(expected.Order(StringComparer.Ordinal), ns.IpvsadmSave());
    }

    [Fact]
    public void Update_service_edits_in_place_and_keeps_destinations()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        ns.Ipvsadm("-R", stdin: "-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 2\n");
        IpvsService service = ipvs.GetService(Key("198.18.0.1", 80))!;

        ipvs.UpdateService(service with { Scheduler = "wlc", Flags = IpvsServiceFlags.Persistent, Timeout = 120, Netmask = 0xFFFF0000 });

        Assert.Equal(
            ["-A -t 198.18.0.1:80 -s wlc -p 120 -M 255.255.0.0", "-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 2"],
            ns.IpvsadmSave());

        // and back: clearing persistence clears the flag, the timeout and the netmask
        ipvs.UpdateService(service);
        Assert.Equal(["-A -t 198.18.0.1:80 -s rr", "-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 2"], ns.IpvsadmSave());
    }

    [Fact]
    public void Update_and_delete_destinations()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        ns.Ipvsadm("-R", stdin: "-A -t 198.18.0.1:80 -s wrr\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 2\n-a -t 198.18.0.1:80 -r 198.18.1.2:80 -m -w 2\n");
        IpvsServiceKey key = Key("198.18.0.1", 80);
        IpvsDestination first = ipvs.GetDestinations(key).Single(d => d.Address.Equals(IPAddress.Parse("198.18.1.1")));

        ipvs.UpdateDestination(key, first with { Weight = 0, ForwardingMethod = IpvsForwardingMethod.DirectRoute });
        ipvs.DeleteDestination(key, new IpvsDestination { Address = IPAddress.Parse("198.18.1.2"), Port = 80 });

        Assert.Equal(["-A -t 198.18.0.1:80 -s wrr", "-a -t 198.18.0.1:80 -r 198.18.1.1:80 -g -w 0"], ns.IpvsadmSave());

        ipvs.DeleteService(key);
        Assert.Empty(ns.IpvsadmSave());
        Assert.Null(ipvs.GetService(key));
    }

    [Fact]
    public void Thresholds_round_trip_both_ways()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        IpvsServiceKey key = Key("198.18.0.1", 80);
        ipvs.AddService(new IpvsService { Key = key, Scheduler = "lc" });
        ipvs.AddDestination(key, new IpvsDestination { Address = IPAddress.Parse("198.18.1.1"), Port = 80, UpperThreshold = 100, LowerThreshold = 50 });
        ns.Ipvsadm("-a -t 198.18.0.1:80 -r 198.18.1.2:80 -m -x 7 -y 3");

        var thresholds = ns.Ipvsadm("-Ln --thresholds")
            .Split('\n')
            .Where(l => l.TrimStart().StartsWith("->", StringComparison.Ordinal) && !l.Contains("RemoteAddress", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => f[1], f => (Upper: uint.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), Lower: uint.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal((100u, 50u), thresholds["198.18.1.1:80"]);
        IpvsDestination written = ipvs.GetDestinations(key).Single(d => d.Address.Equals(IPAddress.Parse("198.18.1.2")));
        Assert.Equal((7u, 3u), (written.UpperThreshold, written.LowerThreshold));
        Assert.Equal((7u, 3u), thresholds["198.18.1.2:80"]);
    }

    internal static IpvsServiceKey Key(string address, ushort port) => IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse(address), port);

    private static IpvsService Settings(IpvsService service) => service with { Statistics = null, Netmask = service.EffectiveNetmask };

    private static IpvsDestination[] Sorted(IEnumerable<IpvsDestination> destinations) =>
        destinations.Select(d => d.WithoutCounters()).OrderBy(d => d.ToString(), StringComparer.Ordinal).ToArray();
}
