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
}
