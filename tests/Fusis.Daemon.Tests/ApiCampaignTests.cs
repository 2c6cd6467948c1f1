using CsCheck;
using Fusis.TestSupport;

namespace Fusis.Daemon.Tests;

/// <summary>
/// The generated bad-input campaign (#18, <see cref="CampaignRequest"/>, <see cref="ApiCampaign"/>) against the daemon
/// on loopback over the in-memory kernel; the lab runs it against the real kernel. The seed is printed
/// (FUSISTEST_CAMPAIGN_SEED repeats a run); a failure prints the smallest request CsCheck found that still fails.
/// </summary>
public sealed class ApiCampaignTests
{
    private const int Requests = 10_000;

    [Fact]
    public async Task Ten_thousand_generated_requests_keep_every_invariant()
    {
        // Every destination a check can accept is one of these servers, which answer every probe: no probe leaves
        // loopback, and none changes the kernel behind the campaign's back.
        using var backends = new LoopbackHttpServers(3);
        await using ApiHost host = await ApiHost.StartAsync("--vip-range", "198.18.100.0/24");
        var campaign = new ApiCampaign(host.Client, host.Kernel, host.StatePath);
        string seed = ApiCampaign.Seed();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Task.Run(() => CampaignRequest.Gen(backends.Ports).Sample(campaign.Check, seed: seed, iter: Requests, threads: 1, print: r => r.ToString()), TestContext.Current.CancellationToken);

        Console.WriteLine($"API campaign (host, in-memory kernel): {campaign.Summary(seed, clock.Elapsed)}");
        Assert.True(campaign.Sent >= Requests);
        Assert.True(campaign.Statuses.Keys.Any(s => s is 200 or 201), "no request was accepted: the campaign proved nothing about accepted changes");
    }
}
