using System.Net;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Tests;

/// <summary>The planner against in-memory tables (a fake kernel proves planning only; the lab proves applying).</summary>
public sealed class PlannerTests
{
    private static readonly DesiredService Web = new(
        "web",
        new IpvsService { Key = Samples.Tcp("198.18.0.1", 80), Scheduler = "wrr" },
        [Samples.Destination("198.18.1.1", 80, 2), Samples.Destination("198.18.1.2", 80, 2)]);

    private static readonly IpvsTableService Unmanaged = new(
        new IpvsService { Key = Samples.Tcp("198.18.0.50", 80), Scheduler = "rr" }, [Samples.Destination("198.18.9.9", 80)]);

    [Fact]
    public void Empty_kernel_gets_the_service_then_its_destinations()
    {
        IReadOnlyList<IpvsOperation> plan = Planner.Plan(new DesiredState([Web], []), IpvsTable.Empty);

        Assert.Equal(
            [
                IpvsOperation.AddService(Web.Service),
                IpvsOperation.AddDestination(Web.Key, Web.Destinations[0]),
                IpvsOperation.AddDestination(Web.Key, Web.Destinations[1]),
            ],
            plan);
    }

    [Fact]
    public void No_drift_means_no_operations_whatever_the_counters_and_default_spellings()
    {
        var kernel = new IpvsTable(
        [
            new IpvsTableService(
                Web.Service with { Netmask = uint.MaxValue, Statistics = new IpvsStatistics(5, 6, 7, 8, 9, 1, 1, 1, 1, 1) },
                Web.Destinations.Select(d => d with { ActiveConnections = 4, Statistics = new IpvsStatistics(1, 1, 1, 1, 1, 0, 0, 0, 0, 0) }).Reverse().ToList()),
            Unmanaged,
        ]);

        Assert.Empty(Planner.Plan(new DesiredState([Web], []), kernel));
    }

    [Fact]
    public void Drift_in_an_owned_service_is_repaired_and_an_unmanaged_one_is_left_alone()
    {
        var kernel = new IpvsTable(
        [
            new IpvsTableService(Web.Service with { Scheduler = "rr" }, [Web.Destinations[0] with { Weight = 9 }, Samples.Destination("198.18.1.7", 80)]),
            Unmanaged,
        ]);

        IReadOnlyList<IpvsOperation> plan = Planner.Plan(new DesiredState([Web], []), kernel);

        Assert.Equal(
            [
                IpvsOperation.UpdateService(Web.Service),
                IpvsOperation.DeleteDestination(Web.Key, Samples.Destination("198.18.1.7", 80)),
                IpvsOperation.UpdateDestination(Web.Key, Web.Destinations[0]),
                IpvsOperation.AddDestination(Web.Key, Web.Destinations[1]),
            ],
            plan);
        Assert.DoesNotContain(plan, op => op.ServiceKey == Unmanaged.Service.Key);
    }

    [Fact]
    public void Retired_services_are_deleted_only_while_present_and_never_when_owned_again()
    {
        IpvsServiceKey gone = Samples.Tcp("198.18.0.77", 80);
        var kernel = new IpvsTable([Unmanaged with { Service = Unmanaged.Service with { Key = gone } }]);

        Assert.Equal([IpvsOperation.DeleteService(gone)], Planner.Plan(new DesiredState([], [gone]), kernel));
        Assert.Empty(Planner.Plan(new DesiredState([], [gone]), IpvsTable.Empty));
        Assert.DoesNotContain(
            Planner.Plan(new DesiredState([Web with { Service = Web.Service with { Key = gone } }], [gone]), kernel),
            op => op.Kind == IpvsOperationKind.DeleteService);
    }

    [Fact]
    public void Local_delivery_is_what_the_kernel_makes_of_masquerading_to_itself_and_not_drift()
    {
        IpvsDestination wanted = Samples.Destination("198.18.1.1", 80);
        IpvsDestination present = wanted with { ForwardingMethod = IpvsForwardingMethod.Local, TunnelPort = 0 };

        Assert.True(Planner.SameSettings(wanted, present));
        Assert.False(Planner.SameSettings(wanted with { ForwardingMethod = IpvsForwardingMethod.DirectRoute }, present));
        Assert.True(Planner.SameSettings(wanted, wanted with { TunnelType = IpvsTunnelType.Gre })); // tunnel fields mean nothing for NAT
        Assert.False(Planner.SameSettings(
            wanted with { ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue, TunnelPort = 1 },
            wanted with { ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue, TunnelPort = 2 }));
        Assert.False(Planner.SameSettings(wanted, wanted with { Address = IPAddress.Parse("198.18.1.9") }));
    }

    private static readonly DesiredService Maglev = new(
        "maglev",
        new IpvsService { Key = Samples.Tcp("198.18.0.2", 80), Scheduler = "mh" },
        [Samples.Destination("198.18.1.3", 80), Samples.Destination("198.18.1.1", 80), Samples.Destination("198.18.1.2", 80)]);

    [Fact]
    public void A_hashing_scheduler_gets_its_destinations_by_address_whatever_order_the_state_has()
    {
        IReadOnlyList<IpvsOperation> plan = Planner.Plan(new DesiredState([Maglev], []), IpvsTable.Empty);

        Assert.Equal(["198.18.1.1", "198.18.1.2", "198.18.1.3"], plan.Skip(1).Select(o => o.Destination!.Address.ToString()));
    }

    [Fact]
    public void A_kernel_in_the_canonical_order_needs_nothing_and_one_out_of_order_is_added_again_from_the_first_misplaced()
    {
        // The kernel lists the newest first: 1.1, 1.2, 1.3 added in that order read back as 1.3, 1.2, 1.1.
        IpvsDestination[] canonical = [.. HashingOrder.Canonical(Maglev.Destinations)];
        var inOrder = new IpvsTable([new IpvsTableService(Maglev.Service, [.. canonical.Reverse()])]);
        Assert.Empty(Planner.Plan(new DesiredState([Maglev], []), inOrder));

        // 1.2 was added last (it joined after the others): 1.1 and 1.2 stay, 1.3 is deleted and added again after 1.2.
        var late = new IpvsTable([new IpvsTableService(Maglev.Service, [canonical[1], canonical[2], canonical[0]])]);
        IReadOnlyList<IpvsOperation> plan = Planner.Plan(new DesiredState([Maglev], []), late);

        Assert.Equal(
            [IpvsOperation.DeleteDestination(Maglev.Key, canonical[2]), IpvsOperation.AddDestination(Maglev.Key, canonical[2])],
            plan);

        // A balancer restarted after 1.1 left and came back: 1.1 is newest, so 1.2 and 1.3 go and come back after it.
        var restarted = new IpvsTable([new IpvsTableService(Maglev.Service, [canonical[0], canonical[2], canonical[1]])]);
        Assert.Equal(
            ["delete 198.18.1.2", "delete 198.18.1.3", "add 198.18.1.2", "add 198.18.1.3"],
            Planner.Plan(new DesiredState([Maglev], []), restarted).Select(o => $"{(o.Kind == IpvsOperationKind.DeleteDestination ? "delete" : "add")} {o.Destination!.Address}"));
    }
}
