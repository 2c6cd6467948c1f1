using System.Net;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>Kernel errors surface with the right errno and a message that says what is wrong.</summary>
public sealed class IpvsErrorTests
{
    private static readonly IpvsServiceKey Web = IpvsRoundTripTests.Key("198.18.0.1", 80);
    private static readonly IpvsService WebService = new() { Key = Web, Scheduler = "rr" };
    private static readonly IpvsDestination Backend = new() { Address = IPAddress.Parse("198.18.1.1"), Port = 80 };

    [Fact]
    public void Duplicate_service_is_EEXIST()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        ipvs.AddService(WebService);

        var error = Assert.Throws<NetlinkException>(() => ipvs.AddService(WebService));

        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Contains("service TCP 198.18.0.1:80 already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_service_is_ESRCH_for_update_delete_and_destination_writes()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        foreach (Action write in new Action[]
        {
            () => ipvs.UpdateService(WebService),
            () => ipvs.DeleteService(Web),
            () => ipvs.AddDestination(Web, Backend),
        })
        {
            var error = Assert.Throws<NetlinkException>(write);
            Assert.Equal(Errno.ESRCH, error.Errno);
            Assert.Contains("service TCP 198.18.0.1:80 does not exist", error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(ns.IpvsadmSave());
    }

    [Fact]
    public void Missing_destination_is_ENOENT()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        ipvs.AddService(WebService);

        var update = Assert.Throws<NetlinkException>(() => ipvs.UpdateDestination(Web, Backend));
        var delete = Assert.Throws<NetlinkException>(() => ipvs.DeleteDestination(Web, Backend));

        Assert.Equal(Errno.ENOENT, update.Errno);
        Assert.Equal(Errno.ENOENT, delete.Errno);
        Assert.Contains("destination 198.18.1.1:80 does not exist in service TCP 198.18.0.1:80", delete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_destination_is_EEXIST()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        ipvs.AddService(WebService);
        ipvs.AddDestination(Web, Backend);

        var error = Assert.Throws<NetlinkException>(() => ipvs.AddDestination(Web, Backend));

        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Contains("destination 198.18.1.1:80 already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_scheduler_is_ENOENT_naming_the_scheduler()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        var error = Assert.Throws<NetlinkException>(() => ipvs.AddService(WebService with { Scheduler = "nosuch" }));

        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.Contains("scheduler 'nosuch'", error.Message, StringComparison.Ordinal);
        Assert.Empty(ns.IpvsadmSave());
    }

    [Fact]
    public void Batch_reports_each_failure_and_applies_the_rest()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        IpvsServiceKey other = IpvsRoundTripTests.Key("198.18.0.2", 80);

        IReadOnlyList<IpvsOperationResult> results = ipvs.Apply(
        [
            IpvsOperation.AddService(WebService),
            IpvsOperation.AddService(WebService),                   // duplicate
            IpvsOperation.AddDestination(Web, Backend),
            IpvsOperation.AddDestination(other, Backend),            // no such service
            IpvsOperation.AddService(new IpvsService { Key = other, Scheduler = "nosuch" }),
            IpvsOperation.AddService(new IpvsService { Key = other, Scheduler = "sh" }),
        ]);

        Assert.Equal([true, false, true, false, false, true], results.Select(r => r.Succeeded));
        Assert.Equal([Errno.EEXIST, Errno.ESRCH, Errno.ENOENT], results.Where(r => !r.Succeeded).Select(r => r.Error!.Errno));
        Assert.Equal(
            ["-A -t 198.18.0.1:80 -s rr", "-A -t 198.18.0.2:80 -s sh", "-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1"],
            ns.IpvsadmSave());
    }

    [Fact]
    public void Invalid_operation_in_a_batch_writes_nothing()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();

        Assert.ThrowsAny<ArgumentException>(() => ipvs.Apply(
        [
            IpvsOperation.AddService(WebService),
            IpvsOperation.AddDestination(Web, Backend with { Weight = 70000 }),
        ]));

        Assert.Empty(ns.IpvsadmSave());
    }

    [Fact]
    public void Without_CAP_NET_ADMIN_writes_are_EPERM_with_a_hint()
    {
        using var ns = new LabNamespace();
        NetlinkException? error = null;

        Capabilities.RunWithout(Capabilities.NetAdmin, () =>
        {
            using IpvsClient ipvs = ns.OpenIpvs();
            error = Assert.Throws<NetlinkException>(() => ipvs.AddService(WebService));
        });

        Assert.NotNull(error);
        Assert.Equal(Errno.EPERM, error.Errno);
        Assert.Contains("root or CAP_NET_ADMIN", error.Message, StringComparison.Ordinal);
        Assert.Empty(ns.IpvsadmSave());
    }
}
