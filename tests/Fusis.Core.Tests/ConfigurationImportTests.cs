using System.Net;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;

namespace Fusis.Core.Tests;

public sealed class ConfigurationImportTests
{
    [Theory]
    [InlineData("-A -t 198.18.0.1:80", "tcp-198.18.0.1-80")]
    [InlineData("-A -u [fd00::1:53]:53", "udp-fd00__1_53-53")]
    [InlineData("-A --sctp-service 198.18.0.7:9", "sctp-198.18.0.7-9")]
    [InlineData("-A -f 7", "fwm-7")]
    [InlineData("-A -f 7 -6", "fwm6-7")]
    public void Derived_names_are_valid_and_say_what_the_service_is(string rule, string name)
    {
        IReadOnlyList<DesiredService> services = ConfigurationImport.FromTable(IpvsadmRules.Parse(rule), DesiredState.Empty);

        Assert.Equal(name, Assert.Single(services).Name);
        Assert.Empty(new DesiredState(services, []).Validate());
    }

    [Fact]
    public void An_owned_key_keeps_its_name()
    {
        var owned = new DesiredState([new DesiredService("web", new IpvsService { Key = Samples.Tcp("198.18.0.1", 80) }, [])], []);

        Assert.Equal("web", Assert.Single(ConfigurationImport.FromTable(IpvsadmRules.Parse("-A -t 198.18.0.1:80 -s rr"), owned)).Name);
    }

    [Fact]
    public void Replace_retires_every_owned_key_not_imported_once_and_unretires_imported_ones()
    {
        DesiredService a = Service("a", "198.18.0.1");
        DesiredService b = Service("b", "198.18.0.2");
        DesiredService c = Service("c", "198.18.0.3");
        var current = new DesiredState([a, b], [c.Key, b.Key]);

        DesiredState next = ConfigurationImport.Replace(current, [c]);

        Assert.Equal([c], next.Services);
        Assert.Equal([b.Key, a.Key], next.Retired);
    }

    [Fact]
    public void Unmanaged_lists_only_kernel_services_neither_owned_nor_retired()
    {
        DesiredService a = Service("a", "198.18.0.1");
        DesiredService b = Service("b", "198.18.0.2");
        DesiredService c = Service("c", "198.18.0.3");
        DesiredService d = Service("d", "198.18.0.4");

        IReadOnlyList<DesiredService> unmanaged = ConfigurationImport.Unmanaged(new DesiredState([a], [b.Key]), [a, b, c, d], [a.Key, b.Key, c.Key]);

        Assert.Equal([c], unmanaged);
    }

    [Fact]
    public void Apply_with_progress_sends_batches_and_reports_each()
    {
        var kernel = new MemoryIpvsKernel();
        var services = Enumerable.Range(1, 300).Select(i => new DesiredService(
            $"s{i}", new IpvsService { Key = Samples.Tcp($"198.18.{i / 250}.{i % 250}", 80) },
            [.. Enumerable.Range(1, 9).Select(j => Samples.Destination($"198.19.0.{j}", 80))])).ToList();
        var reported = new List<int>();

        ReconcileResult result = Reconciler.Apply(Reconciler.Plan(new DesiredState(services, []), kernel), kernel, reported.Add);

        Assert.True(result.Succeeded);
        Assert.Equal([1000, 2000, 3000], reported);
        Assert.Equal(3000, kernel.Writes);
        Assert.Empty(Reconciler.Preview(new DesiredState(services, []), kernel));
    }

    private static DesiredService Service(string name, string address) =>
        new(name, new IpvsService { Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse(address), 80) }, []);
}
