using System.Net;
using Fusis.Core.Membership;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Tests;

public sealed class MembershipPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly MembershipPolicy Policy = new();

    private static readonly DesiredState Web = new(
        [new DesiredService("web", new IpvsService { Key = Samples.Tcp("198.18.100.1", 80), Scheduler = "rr" }, [Samples.Destination("198.18.9.9", 80)])], []);

    [Fact]
    public void Alive_members_announcing_the_service_become_named_destinations_and_a_second_apply_changes_nothing()
    {
        ClusterMember[] members = [Member("b1", "198.18.2.11", MemberState.Alive, "web:8080:3"), Member("b2", "198.18.2.12", MemberState.Alive, "web:8080,other:1")];

        DesiredState once = MembershipPlanner.Apply(Web, members, Policy, Now);
        DesiredState twice = MembershipPlanner.Apply(once, [.. members.Reverse()], Policy, Now.AddSeconds(5));

        DesiredService web = once.Services.Single();
        Assert.Equal(["198.18.9.9:80", "198.18.2.11:8080", "198.18.2.12:8080"], web.Destinations.Select(d => d.ToString()));
        Assert.Equal([1, 3, 1], web.Destinations.Select(d => d.Weight));
        Assert.Equal(["b1", "b2"], web.Labels.Values.Select(l => l.Member).Order(StringComparer.Ordinal));
        Assert.Equal(once, twice);
        Assert.Empty(once.Validate());
    }

    [Fact]
    public void A_draining_or_leaving_member_drains_and_the_sweep_deletes_it_once_idle()
    {
        DesiredState joined = MembershipPlanner.Apply(Web, [Member("b1", "198.18.2.11", MemberState.Alive, "web:8080")], Policy, Now);

        DesiredState draining = MembershipPlanner.Apply(joined, [Member("b1", "198.18.2.11", MemberState.Alive, "web:8080", drain: true)], Policy, Now);
        DesiredState leaving = MembershipPlanner.Apply(draining, [Member("b1", "198.18.2.11", MemberState.Leaving, "web:8080")], Policy, Now.AddSeconds(1));

        DesiredService service = leaving.Services.Single();
        IpvsDestination member = service.Destinations[1];
        Assert.Equal(Now + Policy.DrainTimeout, service.LabelOf(member)!.DrainUntil); // the first drain time holds
        Assert.Equal(0, service.KernelDestinations[1].Weight);

        IReadOnlyList<IpvsDestination> Busy(IpvsServiceKey _) => [member with { ActiveConnections = 2 }];
        IReadOnlyList<IpvsDestination> Idle(IpvsServiceKey _) => [member with { ActiveConnections = 0 }];
        Assert.Equal(leaving, MembershipPlanner.Sweep(leaving, Busy, Policy, Now.AddSeconds(5)));
        Assert.Equal(leaving, MembershipPlanner.Sweep(leaving, Idle, Policy, Now.AddSeconds(1))); // not before the minimum drain
        Assert.Single(MembershipPlanner.Sweep(leaving, Idle, Policy, Now + Policy.MinimumDrain).Services.Single().Destinations);
        Assert.Single(MembershipPlanner.Sweep(leaving, Busy, Policy, Now + Policy.DrainTimeout).Services.Single().Destinations);
        Assert.Equal(1, MembershipPlanner.RoutedTo(leaving, "b1"));
    }

    [Fact]
    public void A_failed_member_is_removed_or_drained_per_policy_and_a_member_gone_is_removed()
    {
        DesiredState joined = MembershipPlanner.Apply(Web, [Member("b1", "198.18.2.11", MemberState.Alive, "web:8080")], Policy, Now);
        ClusterMember[] failed = [Member("b1", "198.18.2.11", MemberState.Failed, "web:8080")];

        Assert.Equal(Web, MembershipPlanner.Apply(joined, failed, Policy, Now));
        Assert.True(MembershipPlanner.Apply(joined, failed, Policy with { OnFailed = FailedMemberAction.Drain }, Now).Services.Single().Labels.Values.Single().Draining);
        Assert.Equal(Web, MembershipPlanner.Apply(joined, [], Policy, Now));
    }

    [Fact]
    public void A_list_that_cannot_tell_who_left_removes_no_member_it_does_not_list_but_honours_those_it_does()
    {
        DesiredState joined = MembershipPlanner.Apply(Web, [
            Member("b1", "198.18.2.11", MemberState.Alive, "web:8080"), Member("b2", "198.18.2.12", MemberState.Alive, "web:8080")], Policy, Now);

        // A restarted agent that has not joined yet lists nobody: b1 and b2 stay.
        Assert.Equal(joined, MembershipPlanner.Apply(joined, [], Policy, Now, complete: false));
        // One it does list still counts: b2 failed, b1 (not listed) stays.
        DesiredState partial = MembershipPlanner.Apply(joined, [Member("b2", "198.18.2.12", MemberState.Failed, "web:8080")], Policy, Now, complete: false);
        Assert.Equal(["198.18.9.9", "198.18.2.11"], partial.Services.Single().Destinations.Select(d => d.Address.ToString())); // the hand-made one, and b1
    }

    [Fact]
    public void Hand_made_destinations_win_over_an_announcement_of_the_same_endpoint()
    {
        DesiredState state = MembershipPlanner.Apply(Web, [Member("b9", "198.18.9.9", MemberState.Alive, "web:80:7")], Policy, Now);

        Assert.Equal(Web, state);
    }

    [Theory]
    [InlineData("web:8080", "web:8080")]
    [InlineData("web:8080:5:route, api:9000:1:nat", "web:8080:5:route,api:9000:1:nat")]
    [InlineData("web:8080,bad,web:0,x:1:70000,y:2:1:udp", "web:8080")]
    [InlineData("a:80:1:tunnel,b:80:1:ipip,c:80:2:gre,d:80:1:gre/checksum,e:80:1:gue/6080,f:80:1:gue/6080/remote-checksum,g:80:1:gue/6080/none",
        "a:80:1:tunnel,b:80:1:tunnel,c:80:2:gre,d:80:1:gre/checksum,e:80:1:gue/6080,f:80:1:gue/6080/remote-checksum,g:80:1:gue/6080")]
    [InlineData("a:80:1:gue,b:80:1:gue/0,c:80:1:gue/x,d:80:1:ipip/checksum,e:80:1:gre/csum,f:80:1:gue/6080/checksum/x,g:80:1:i,h:80:1:tunnel/gre", "")]
    public void The_services_tag_round_trips_and_skips_bad_entries(string tag, string formatted)
    {
        IReadOnlyList<ServiceAnnouncement> parsed = AgentTags.Parse(tag, out IReadOnlyList<string> problems);

        Assert.Equal(formatted, AgentTags.Format(parsed));
        Assert.Equal(tag.Split(',').Length - parsed.Count, problems.Count);
    }

    [Fact]
    public void A_tunnel_announcement_sets_the_destinations_tunnel_and_a_dual_stack_member_serves_the_other_family_by_its_other_address()
    {
        DesiredState state = new(
        [
            new DesiredService("gue", new IpvsService { Key = Samples.Tcp("198.18.100.4", 80), Scheduler = "rr" }, []),
            new DesiredService("route6", new IpvsService { Key = Samples.Tcp("fd00:100::2", 80), Scheduler = "rr" }, []),
            new DesiredService("tunnel6", new IpvsService { Key = Samples.Tcp("fd00:100::3", 80), Scheduler = "rr" }, []),
        ], []);
        ClusterMember dual = Member("b1", "198.18.2.11", MemberState.Alive, "gue:80:1:gue/6080/checksum,route6:80:1:route,tunnel6:80:1:ipip", addresses: "fd00:2::11");
        ClusterMember single = Member("b2", "198.18.2.12", MemberState.Alive, "gue:80:1:gue/6080/checksum,route6:80:1:route,tunnel6:80:1:ipip");

        DesiredState planned = MembershipPlanner.Apply(state, [dual, single], Policy, Now);

        IpvsDestination[] gue = [.. planned.Services.Single(s => s.Name == "gue").Destinations];
        Assert.All(gue, d => Assert.Equal((IpvsForwardingMethod.Tunnel, IpvsTunnelType.Gue, (ushort)6080, IpvsTunnelChecksum.Checksum), (d.ForwardingMethod, d.TunnelType, d.TunnelPort, d.TunnelChecksum)));
        // Direct routing needs the service's family: only the dual-stack member, by its IPv6 address.
        Assert.Equal(["[fd00:2::11]:80"], planned.Services.Single(s => s.Name == "route6").Destinations.Select(d => d.ToString()));
        // A tunnel may cross families: the single-stack member is reached over IPv4.
        Assert.Equal(["198.18.2.12:80", "[fd00:2::11]:80"], planned.Services.Single(s => s.Name == "tunnel6").Destinations.Select(d => d.ToString()).Order(StringComparer.Ordinal));
        Assert.Empty(planned.Validate());
    }

    [Fact]
    public void A_planner_that_looks_only_at_what_changed_plans_what_a_whole_plan_does_through_joins_leaves_edits_and_refusals()
    {
        // 1,000 events over 12 services and 7 members: members join, leave, fail, drain and change what they announce
        // (some share an address, so their endpoints collide), services are edited between events (renamed, a member's
        // destination deleted, a hand-made one added at a member's endpoint, a service added or removed), the engine
        // sometimes refuses a plan and the drain sweep deletes. Each plan must equal a whole plan of the same input.
        var random = new Random(41);
        string[] names = ["m0", "m1", "m2", "m3", "m4", "m5", "m6"];
        string[] addresses = ["198.18.3.1", "198.18.3.2", "198.18.3.3", "198.18.3.3", "198.18.3.5", "198.18.3.6", "fd00:3::7"];
        DesiredService Service(int i) =>
            new($"s{i}", new IpvsService { Key = Samples.Tcp($"198.18.100.{i + 1}", 80), Scheduler = "rr" }, i % 3 == 0 ? [Samples.Destination($"198.18.9.{i}", 80)] : []);
        DesiredState state = new([.. Enumerable.Range(0, 12).Select(Service)], []);
        var planner = new MembershipPlanner(Policy);
        var members = new Dictionary<string, ClusterMember>();
        DateTimeOffset now = Now;
        int planned = 0;
        bool complete = true;
        for (int step = 0; step < 1000; step++)
        {
            now += TimeSpan.FromSeconds(random.Next(0, 4));
            string name = names[random.Next(names.Length)];
            int which = random.Next(40);
            if (which < 24)
            {
                string services = string.Join(',', Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"s{random.Next(13)}:{8080 + random.Next(2)}"));
                MemberState memberState = random.Next(2) == 0 ? MemberState.Alive : (MemberState)random.Next(Enum.GetValues<MemberState>().Length);
                members[name] = Member(name, addresses[Array.IndexOf(names, name)], memberState, services, drain: random.Next(5) == 0);
            }
            else if (which < 30)
            {
                members.Remove(name);
            }
            else if (which < 38 && state.Services.Count > 0)
            {
                // An edit between events, as the API makes them.
                int at = random.Next(state.Services.Count);
                DesiredService service = state.Services[at];
                DesiredService edited = random.Next(3) switch
                {
                    0 when state.Find($"s{at}x") is null => service with { Name = $"s{at}x" },
                    1 when service.Destinations.Count > 0 => service.WithDestinations([.. service.Destinations.Skip(1)]),
                    _ => service.WithDestinations([.. service.Destinations, Samples.Destination(addresses[random.Next(addresses.Length - 1)], 8080)]),
                };
                DesiredState next = state.Replacing(service, edited);
                state = next.Validate().Count == 0 ? next : state;
            }
            else if (which == 38 && state.Services.Count > 0)
            {
                int gone = random.Next(state.Services.Count);
                state = new DesiredState([.. state.Services.Where((_, at) => at != gone)], []);
            }
            else if (which == 39 && random.Next(13) is var added && state.Find($"s{added}") is null && state.Find(Service(added).Key) is null)
            {
                state = new DesiredState([.. state.Services, Service(added)], []);
            }

            ClusterMember[] listed = [.. members.Values.OrderBy(_ => random.Next())];
            complete ^= random.Next(15) == 0; // lists that cannot tell who left come in runs, as from a restarted agent
            DesiredState incremental = planner.Plan(state, listed, now, complete);
            DesiredState whole = MembershipPlanner.Apply(state, listed, Policy, now, complete);
            Assert.True(whole.Equals(incremental), $"step {step}: the plan differs from a whole plan");
            planned += ReferenceEquals(incremental, state) ? 0 : 1;
            // The sweep after a plan finds some destinations idle; it looks only where the plans left drains.
            DesiredState swept = planner.Sweep(incremental, _ => [], now);
            Assert.True(MembershipPlanner.Sweep(incremental, _ => [], Policy, now).Equals(swept), $"step {step}: the sweep differs from a whole sweep");
            if (random.Next(6) != 0)
            {
                // The engine took it; otherwise it refused, and the state stays.
                state = swept;
            }
        }

        Assert.True(planned > 100, $"only {planned} of 1,000 events changed the state: the test exercises too little");
    }

    [Fact]
    public void Two_members_announcing_one_endpoint_give_it_to_the_one_serving_whatever_the_lists_order()
    {
        // A backend restarted under a new name, at the same address: the new one serves, the old one's leave does not drain it.
        DesiredState joined = MembershipPlanner.Apply(Web, [Member("old", "198.18.2.11", MemberState.Alive, "web:8080")], Policy, Now);
        ClusterMember[] both = [Member("old", "198.18.2.11", MemberState.Leaving, "web:8080"), Member("new", "198.18.2.11", MemberState.Alive, "web:8080")];

        DesiredState oneWay = MembershipPlanner.Apply(joined, both, Policy, Now);
        DesiredState otherWay = MembershipPlanner.Apply(joined, [.. both.Reverse()], Policy, Now);

        Assert.Equal(oneWay, otherWay);
        DestinationLabel label = oneWay.Services.Single().Labels.Values.Single(l => l.Member is not null);
        Assert.Equal(("new", false), (label.Member, label.Draining));
    }

    [Theory]
    [InlineData("fd00:2::11", new[] { "fd00:2::11" })]
    [InlineData("fd00:2::11, 198.18.2.9 ,bad,fe80::1%2,fd00::9", new[] { "fd00:2::11", "198.18.2.9" })]
    public void The_addresses_tag_keeps_at_most_two_plain_addresses(string tag, string[] expected) =>
        Assert.Equal(expected, AgentTags.ParseAddresses(tag).Select(a => a.ToString()));

    private static ClusterMember Member(string name, string address, MemberState state, string services, bool drain = false, string? addresses = null)
    {
        var tags = new Dictionary<string, string> { [AgentTags.Services] = services, [AgentTags.Role] = AgentTags.AgentRole };
        if (addresses is not null)
        {
            tags[AgentTags.Addresses] = addresses;
        }

        if (drain)
        {
            tags[AgentTags.Draining] = "1";
        }

        return new ClusterMember(name, IPAddress.Parse(address), state, tags);
    }
}
