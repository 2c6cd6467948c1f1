using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Tests;

/// <summary>Validation refuses what the kernel would refuse (pinned by the kernel contract in the lab), all at once.</summary>
public sealed class DesiredStateTests
{
    [Fact]
    public void Reports_every_problem_the_kernel_would_refuse()
    {
        var service = new IpvsService { Key = Samples.Tcp("198.18.0.1", 80), Scheduler = "rr" };
        var state = new DesiredState(
        [
            new DesiredService("web", service,
            [
                Samples.Destination("198.18.1.1", 80) with { LowerThreshold = 6 },  // ERANGE even with no upper threshold
                Samples.Destination("fd00::1", 80),                                 // EINVAL: another family, not a tunnel
                Samples.Destination("fd00::2", 80) with { ForwardingMethod = IpvsForwardingMethod.Tunnel },
            ]),
            new DesiredService("WEB", service with { Key = Samples.Tcp("198.18.0.2", 80), Scheduler = "" }, []),
        ], []);

        IReadOnlyList<string> problems = state.Validate();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("198.18.1.1:80: the lower threshold exceeds the upper one", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("[fd00::1]:80 is of another address family", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'WEB' is used twice", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("scheduler name ''", StringComparison.Ordinal));
        Assert.Null(state.Find("nope"));
        Assert.Equal("web", state.Find("Web")!.Name);
    }

    [Fact]
    public void Validating_a_change_against_the_state_in_force_refuses_exactly_what_a_whole_validation_refuses()
    {
        var random = new Random(19);
        DesiredState valid = new(
            [.. Enumerable.Range(0, 30).Select(i => new DesiredService(
                $"svc{i}", new IpvsService { Key = Samples.Tcp($"198.18.0.{i + 1}", 80), Scheduler = "rr" }, [Samples.Destination("198.19.0.1", 80)]))],
            []);
        Assert.Empty(valid.Validate());
        int refused = 0;
        for (int round = 0; round < 500; round++)
        {
            List<DesiredService> services = [.. valid.Services];
            for (int edits = random.Next(1, 4); edits > 0; edits--)
            {
                int at = random.Next(services.Count);
                DesiredService service = services[at];
                services[at] = random.Next(7) switch
                {
                    0 => service with { Name = services[random.Next(services.Count)].Name.ToUpperInvariant() }, // maybe another's name
                    1 => service with { Name = $"fresh{round}x{edits}" },
                    2 => service with { Name = "not a name!" },
                    3 => service.WithDestinations([.. service.Destinations, service.Destinations[0]]), // twice
                    4 => service.WithDestinations([Samples.Destination("198.19.0.2", 80) with { LowerThreshold = 5 }]),
                    5 => service.WithDestinations([Samples.Destination("fd00::2", 80)]), // another family, not a tunnel
                    _ => service.WithDestinations([Samples.Destination("198.19.0.3", 80, random.Next(1, 100))]),
                };
            }

            var next = new DesiredState(services, []);
            IReadOnlyList<string> whole = next.Validate(), change = next.Validate(valid);
            Assert.True(whole.Count == 0 == (change.Count == 0), $"round {round}: whole validation found [{string.Join("; ", whole)}], the change's [{string.Join("; ", change)}]");

            // Beyond names used twice (reported for one or for each of the pair), the same problems.
            static IEnumerable<string> Own(IReadOnlyList<string> problems) =>
                problems.Where(p => !p.Contains("is used twice", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
            Assert.Equal(Own(whole), Own(change));
            refused += whole.Count > 0 ? 1 : 0;
            if (whole.Count == 0)
            {
                valid = next;
            }
        }

        Assert.InRange(refused, 100, 499); // both kinds of outcome were tried
    }

    [Fact]
    public void Finding_by_name_and_key_stays_right_through_a_chain_of_changes_that_hand_the_index_on()
    {
        var random = new Random(23);
        var state = new DesiredState(
            [.. Enumerable.Range(0, 40).Select(i => new DesiredService(
                $"svc{i}", new IpvsService { Key = Samples.Tcp($"198.18.0.{i + 1}", 80), Scheduler = "rr" }, [Samples.Destination("198.19.0.1", 80)]))],
            []);
        for (int round = 0; round < 400; round++)
        {
            DesiredService picked = state.Services[random.Next(state.Services.Count)];
            DesiredState next = random.Next(5) switch
            {
                0 => state.Replacing(picked, picked with { Name = $"renamed{round}" }),
                1 => state with { Services = [.. state.Services.Where(s => s != picked), picked] }, // moved to the end
                2 => state with { Retired = [picked.Key] },
                _ => state.Replacing(picked, picked.WithDestinations([Samples.Destination("198.19.0.2", 80, random.Next(1, 100))])),
            };
            // What an engine's change asks first (it hands the index on): what Replacing says it changed, or a walk.
            Assert.Equal(
                DesiredState.InPlaceChanges(state, new DesiredState([.. next.Services], next.Retired)), DesiredState.InPlaceChanges(state, next));
            foreach (DesiredService service in next.Services)
            {
                Assert.Same(service, next.Find(service.Name.ToUpperInvariant()));
                Assert.Same(service, next.Find(service.Key));
            }

            Assert.Null(next.Find("nobody"));
            state = next;
        }
    }
}
