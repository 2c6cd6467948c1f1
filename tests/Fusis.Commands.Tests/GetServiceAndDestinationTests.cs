using System.Management.Automation;
using System.Net;
using Fusis.Core.Model;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Tests;

public sealed class GetServiceAndDestinationTests
{
    private static readonly IpvsServiceKey WebKey = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);
    private static readonly IpvsServiceKey ApiKey = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.2"), 443);
    private static readonly IpvsServiceKey DnsKey = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("198.18.0.9"), 53);

    private static readonly DesiredState Owned = new(
    [
        new DesiredService("web", new IpvsService { Key = WebKey, Scheduler = "wrr", Flags = IpvsServiceFlags.Persistent, Timeout = 300 },
            [new IpvsDestination { Address = IPAddress.Parse("198.18.1.1"), Port = 8080, Weight = 3 }, new IpvsDestination { Address = IPAddress.Parse("198.18.1.2"), Port = 8080 }]),
        new DesiredService("api", new IpvsService { Key = ApiKey, Scheduler = "lc" }, []),
    ], []);

    [Fact]
    public void Lists_owned_services_by_name_then_unmanaged_ones()
    {
        using CmdletHost host = Converged();

        var services = Services(host.Invoke("Get-FusisService").Output);

        Assert.Equal(["api", "web", null], services.Select(s => s.Name));
        Assert.Equal([true, true, false], services.Select(s => s.Managed));
        FusisService web = services[1];
        Assert.Equal(("TCP 198.18.0.1:80", "wrr", 2, true, 300u, "255.255.255.255"),
            (web.Service, web.Scheduler, web.Destinations, web.Persistent, web.PersistenceTimeout, web.Netmask));
        Assert.Equal(("udp", "198.18.0.9", 53, "ipv4"), (services[2].Protocol, services[2].Address, services[2].Port, services[2].AddressFamily));
    }

    [Fact]
    public void Names_are_case_insensitive_wildcards_and_an_unknown_plain_name_is_a_non_terminating_error()
    {
        using CmdletHost host = Converged();

        (var output, IReadOnlyList<ErrorRecord> errors) = host.Invoke("Get-FusisService -Name 'W*', nosuch, API");

        Assert.Equal(["web", "api"], Services(output).Select(s => s.Name));
        ErrorRecord error = Assert.Single(errors);
        Assert.Equal("ServiceNotFound,Fusis.Commands.Commands.GetFusisServiceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("nosuch", error.TargetObject);
        Assert.Empty(host.Invoke("Get-FusisService -Name 'zz*'").Errors); // a wildcard that matches nothing is not an error
    }

    [Fact]
    public void Destinations_by_name_by_property_and_from_the_pipeline_including_unmanaged_services()
    {
        using CmdletHost host = Converged();

        var byName = Destinations(host.Invoke("Get-FusisDestination web").Output);
        var piped = Destinations(host.Invoke("Get-FusisService | Get-FusisDestination").Output);
        var byProperty = Destinations(host.Invoke("[pscustomobject]@{ Name = 'web' } | Get-FusisDestination").Output);

        Assert.Equal(["198.18.1.1:8080", "198.18.1.2:8080"], byName.Select(d => d.ToString()));
        Assert.Equal(("web", "TCP 198.18.0.1:80", "nat", 3), (byName[0].ServiceName, byName[0].Service, byName[0].ForwardingMethod, byName[0].Weight));
        Assert.Equal(3, piped.Count);
        Assert.Contains(piped, d => d.ServiceName is null && d.Service == "UDP 198.18.0.9:53");
        Assert.Equal(byName.Select(d => d.ToString()), byProperty.Select(d => d.ToString()));
    }

    [Fact]
    public void Objects_survive_ConvertTo_Json_and_Export_Csv_without_internals()
    {
        using CmdletHost host = Converged();

        string json = (string)host.Invoke("Get-FusisService web | ConvertTo-Json").Output.Single().BaseObject;
        var csv = host.Invoke("Get-FusisDestination web | ConvertTo-Csv").Output.Select(o => (string)o.BaseObject).ToList();

        Assert.Contains("\"Name\": \"web\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Service\": \"TCP 198.18.0.1:80\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Key\"", json, StringComparison.Ordinal);
        Assert.Equal(3, csv.Count);
        Assert.StartsWith("\"ServiceName\",\"Service\",\"Address\",\"Port\"", csv[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_desired_state_ends_the_command_and_is_left_untouched()
    {
        using CmdletHost host = Converged();
        File.WriteAllText(host.StatePath, "{ broken");
        string before = host.SavedFiles();

        ErrorRecord error = Assert.Single(host.Invoke("Get-FusisService").Errors);

        Assert.Equal("DesiredStateInvalid,Fusis.Commands.Commands.GetFusisServiceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(before, host.SavedFiles());
    }

    [Fact]
    public void Name_completion_offers_owned_services_from_the_desired_state()
    {
        using CmdletHost host = Converged();

        var completions = host.Invoke("$s = 'Get-FusisDestination -ServiceName w'; (TabExpansion2 -inputScript $s -cursorColumn $s.Length).CompletionMatches.CompletionText").Output;

        Assert.Equal(["web"], completions.Select(o => (string)o.BaseObject));
    }

    // The owned services applied to the double, plus one service someone else created.
    private static CmdletHost Converged()
    {
        var host = new CmdletHost(Owned);
        Assert.True(Reconciler.Reconcile(Owned, host.Kernel).Succeeded);
        host.Kernel.Apply(
        [
            IpvsOperation.AddService(new IpvsService { Key = DnsKey, Scheduler = "rr" }),
            IpvsOperation.AddDestination(DnsKey, new IpvsDestination { Address = IPAddress.Parse("198.18.1.9"), Port = 53 }),
        ]);
        return host;
    }

    private static List<FusisService> Services(IEnumerable<PSObject> output) => output.Select(o => Assert.IsType<FusisService>(o.BaseObject)).ToList();

    private static List<FusisDestination> Destinations(IEnumerable<PSObject> output) => output.Select(o => Assert.IsType<FusisDestination>(o.BaseObject)).ToList();
}
