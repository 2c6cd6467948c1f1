using System.Diagnostics;
using System.Net;
using Fusis.Core.Engine;
using Fusis.Core.Events;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace Fusis.Daemon.Tests;

/// <summary>
/// The status page in a real browser (Debian's chromium, headless, driven over the DevTools protocol) against a running
/// balancer over the in-memory kernel: what an operator sees, as the DOM says it.
/// </summary>
public sealed class StatusPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_destination_that_goes_down_shows_with_its_reason_within_2_s_of_the_health_result_without_a_reload()
    {
        using var healthy = new LoopbackHttpServers(1);
        var failing = new LoopbackHttpServers(1);
        await using ApiHost host = await ApiHost.StartAsync();
        string down = $"127.0.0.1:{failing.Ports[0]}";
        await Post(host, "/services", $$"""{"Name":"web","Address":"198.18.0.10","Port":80,"Scheduler":"wrr","Destinations":[{"Name":"b1","Address":"127.0.0.1","Port":{{healthy.Ports[0]}},"Weight":2},{"Name":"b2","Address":"127.0.0.1","Port":{{failing.Ports[0]}},"Weight":2}]}""");
        await Post(host, "/services/web/check", """{"Type":"http","HttpPath":"/healthz","Interval":"200ms","Timeout":"150ms","Fall":2,"Rise":2}""");
        await Post(host, "/services", """{"Name":"api","Address":"198.18.0.11","Port":443,"Scheduler":"wlc","Destinations":[{"Name":"a1","Address":"198.18.1.21","Port":8443},{"Name":"a2","Address":"198.18.1.22","Port":8443}]}""");
        await Post(host, "/services", """{"Name":"dns","Address":"198.18.0.12","Port":53,"Protocol":"udp","Scheduler":"sh","Destinations":[{"Name":"d1","Address":"198.18.1.31","Port":53}]}""");
        await Post(host, "/services/api/destinations/a2/drain", null);

        await using IBrowser browser = await LaunchAsync();
        await using IPage page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1440, Height = 900 });
        await page.GoToAsync(host.Client.BaseAddress!.ToString());
        string row = $"tr.destination[data-service=\"web\"][data-destination=\"{down}\"]";
        await page.WaitForSelectorAsync($"{row}[data-state=\"up\"]", new WaitForSelectorOptions { Timeout = 20_000 });
        await page.EvaluateExpressionAsync("window.loadedOnce = true");

        failing.Dispose();
        BalancerEngine engine = host.Services.GetRequiredService<BalancerEngine>();
        FusisEvent went = await WaitForAsync(() => engine.Events.Read(0).Events.LastOrDefault(e => e.Type == "destination-down" && e.Destination == down), "the destination-down event");
        DateTimeOffset seen = (await WaitForAsync(async () =>
            await page.EvaluateExpressionAsync<string?>($"document.querySelector('{row}')?.dataset.state") == "down" ? new Box<DateTimeOffset>(DateTimeOffset.UtcNow) : null,
            "the row to say Down")).Value;

        string reason = await page.EvaluateExpressionAsync<string>($"document.querySelector('{row}').querySelector('td.reason').textContent");
        string badge = await page.EvaluateExpressionAsync<string>($"document.querySelector('{row}').querySelector('.badge').textContent");
        bool reloaded = !await page.EvaluateExpressionAsync<bool>("window.loadedOnce === true");
        TimeSpan lag = seen - went.Time;
        Console.WriteLine($"status page: {down} shown Down {lag.TotalMilliseconds:0} ms after the health result ({reason})");
        Assert.Equal("Down", badge);
        Assert.Equal(went.Reason, reason);
        Assert.StartsWith("http check: ", reason, StringComparison.Ordinal);
        Assert.False(reloaded, "the page reloaded");
        Assert.True(lag <= TimeSpan.FromSeconds(2), $"the page showed the destination down {lag.TotalSeconds:0.0} s after the health result");

        // The page with one destination down and one drained, for the README.
        await page.EvaluateExpressionAsync("document.querySelector('#events').scrollTop = 0");
        string screenshot = Path.Combine(Repository.Root, "out", "status-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(screenshot);
    }

    [Fact]
    public async Task At_2000_services_the_page_loads_one_page_of_them_and_the_filter_finds_any()
    {
        await using ApiHost host = await ApiHost.StartAsync();
        BalancerEngine engine = host.Services.GetRequiredService<BalancerEngine>();
        await engine.ChangeAsync((state, _) => state with { Services = [.. Enumerable.Range(0, 2000).Select(Service)] });

        await using IBrowser browser = await LaunchAsync();
        await using IPage page = await browser.NewPageAsync();
        var clock = Stopwatch.StartNew();
        await page.GoToAsync(host.Client.BaseAddress!.ToString());
        await page.WaitForSelectorAsync("tr.destination", new WaitForSelectorOptions { Timeout = 30_000 });
        TimeSpan loaded = clock.Elapsed;
        int rows = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('tr.destination').length");
        string count = await page.EvaluateExpressionAsync<string>("document.getElementById('count').textContent");
        long statusBytes = (await host.Client.GetByteArrayAsync("/status", Cancellation)).Length;
        long pageBytes = (await host.Client.GetByteArrayAsync("/", Cancellation)).Length;

        await page.TypeAsync("#filter", "svc-1999");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('tr.service').length === 1 && document.querySelector('tr.service').dataset.service === 'svc-1999'",
            new WaitForFunctionOptions { Timeout = 10_000 });

        Console.WriteLine($"status page at 2,000 services x 10 destinations: first page (50 services, {rows} destinations) rendered {loaded.TotalMilliseconds:0} ms after navigation (host, headless chromium); the page {pageBytes / 1024.0:0} KiB, its first /status {statusBytes / 1024.0:0} KiB");
        Assert.Equal(500, rows);
        Assert.Equal("2000 services", count);
        Assert.True(statusBytes < 1024 * 1024, $"/status is {statusBytes} bytes");
    }

    private static DesiredService Service(int i)
    {
        IpvsServiceKey key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse($"198.19.{i / 250}.{i % 250 + 1}"), 80);
        return new DesiredService($"svc-{i}", new IpvsService { Key = key, Scheduler = "rr" },
            [.. Enumerable.Range(1, 10).Select(d => new IpvsDestination { Address = IPAddress.Parse($"198.18.{i % 200}.{d}"), Port = 8080 })]);
    }

    private static async Task<IBrowser> LaunchAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (build.ps1 -Task Test does)");
        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root, without a sandbox; and nothing that would reach beyond this machine.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            Timeout = 60_000,
        });
    }

    private static async Task Post(ApiHost host, string path, string? json)
    {
        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, path, json);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string what)
        where T : class => await WaitForAsync(() => Task.FromResult(probe()), what);

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(25, Cancellation);
        }

        throw new TimeoutException($"{what}: not within 20 s");
    }

    private sealed record Box<T>(T Value);
}
