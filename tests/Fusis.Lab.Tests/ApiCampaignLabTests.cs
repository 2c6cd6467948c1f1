using System.Text.Json;
using CsCheck;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;

namespace Fusis.Lab.Tests;

/// <summary>
/// The host's generated bad-input campaign (#18, <see cref="ApiCampaign"/>) against `fusis balancer` on the real
/// kernel: after every request, the kernel as netlink reads it. Then every service it created is deleted, and the
/// kernel holds none of them.
/// </summary>
public sealed class ApiCampaignLabTests
{
    private const int Requests = 1_000;

    [Fact]
    public async Task A_thousand_generated_requests_against_the_real_kernel_keep_every_invariant()
    {
        LabKernel.RequireIpvs();
        using var backends = new LoopbackHttpServers(3);
        using var daemon = new LabDaemon(TimeSpan.FromMinutes(30), null, "--vip-range", "198.18.100.0/24");
        using IpvsClient kernel = IpvsClient.Open();
        string before = ApiCampaign.Snapshot(kernel);
        daemon.Start();
        var campaign = new ApiCampaign(daemon.Client, kernel, daemon.StatePath);
        string seed = ApiCampaign.Seed();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await Task.Run(() => CampaignRequest.Gen(backends.Ports, slowHost: true).Sample(campaign.Check, seed: seed, iter: Requests, threads: 1, print: r => r.ToString()), TestContext.Current.CancellationToken);
            Console.WriteLine($"API campaign (lab, real kernel): {campaign.Summary(seed, clock.Elapsed)}");
            Assert.True(campaign.Sent >= Requests);
            Assert.True(campaign.Statuses.Keys.Any(s => s is 200 or 201), "no request was accepted: the campaign proved nothing about accepted changes");
        }
        finally
        {
            using JsonDocument services = JsonDocument.Parse(await daemon.Client.GetStringAsync(new Uri("/services", UriKind.Relative), TestContext.Current.CancellationToken));
            foreach (JsonElement service in services.RootElement.EnumerateArray())
            {
                using HttpResponseMessage deleted = await daemon.Client.DeleteAsync(new Uri($"/services/{Uri.EscapeDataString(service.GetProperty("Name").GetString()!)}", UriKind.Relative), TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal(before, ApiCampaign.Snapshot(kernel));
    }
}
