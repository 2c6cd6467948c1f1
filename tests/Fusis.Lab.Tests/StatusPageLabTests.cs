using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using PuppeteerSharp;

namespace Fusis.Lab.Tests;

/// <summary>
/// The status page over the real kernel: Debian's chromium (from the host's root) renders it in the lab; the
/// connections it shows for a service are the ones ipvsadm counts after real traffic through the VIP, and its
/// destinations are up, drained and down (no server behind it) as the balancer has them.
/// </summary>
public sealed partial class StatusPageLabTests
{
    private const string Vip = "198.18.85.1";
    private const string Backend = "198.18.85.2";

    [Fact]
    public async Task The_page_shows_the_kernels_connection_counts_after_real_traffic_and_each_destinations_state()
    {
        LabKernel.RequireIpvs();
        LabKernel.Run("ip", $"addr add {Vip}/32 dev lo");
        LabKernel.Run("ip", $"addr add {Backend}/32 dev lo");
        var servers = new List<Process>();
        using var daemon = new LabDaemon(TimeSpan.FromSeconds(30));
        try
        {
            foreach (int port in new[] { 8080, 8081 })
            {
                servers.Add(Process.Start(new ProcessStartInfo("python3", ["-m", "http.server", $"{port}", "--bind", Backend]) { RedirectStandardError = true, RedirectStandardOutput = true })!);
            }

            daemon.Start();
            using (HttpResponseMessage created = daemon.Send(HttpMethod.Post, "/services",
                $$"""{"Name":"web","Address":"{{Vip}}","Port":80,"Scheduler":"rr","Destinations":[{"Name":"b1","Address":"{{Backend}}","Port":8080},{"Name":"b2","Address":"{{Backend}}","Port":8081},{"Name":"b3","Address":"{{Backend}}","Port":8082}]}"""))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            // No server behind b3: its check takes it out (checks of 1 s or more under emulation, as the campaign's).
            using (HttpResponseMessage check = daemon.Send(HttpMethod.Post, "/services/web/check", """{"Type":"http","Interval":"1s","Timeout":"1s","Fall":2,"Rise":2}"""))
            {
                Assert.Equal(HttpStatusCode.OK, check.StatusCode);
            }

            var down = Stopwatch.StartNew();
            while (LabKernel.Run("ipvsadm", "-Ln").Contains(":8082", StringComparison.Ordinal) && down.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(250, TestContext.Current.CancellationToken);
            }

            const int requests = 12;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            for (int i = 0; i < requests; i++)
            {
                WaitForAnswer(http);
            }

            using (HttpResponseMessage drained = daemon.Send(HttpMethod.Post, "/services/web/destinations/b2/drain"))
            {
                Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
            }

            // Drained: weight 0 in the real kernel, as ipvsadm reads it, while b1 keeps its weight.
            string table = LabKernel.Run("ipvsadm", $"-Ln -t {Vip}:80");
            Assert.Matches($@"{Regex.Escape(Backend)}:8081\s+Masq\s+0\s", table);
            Assert.Matches($@"{Regex.Escape(Backend)}:8080\s+Masq\s+1\s", table);

            await using IBrowser browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                Timeout = 300_000,
            });
            await using IPage page = await browser.NewPageAsync();
            page.DefaultTimeout = 120_000;
            await page.SetViewportAsync(new ViewPortOptions { Width = 1440, Height = 900 });
            var clock = Stopwatch.StartNew();
            await page.GoToAsync(daemon.Client.BaseAddress!.ToString());
            await page.WaitForSelectorAsync("tr.service[data-service=\"web\"]");
            TimeSpan rendered = clock.Elapsed;

            // The page reads the kernel every 2 s, which folds its per-CPU counters every 2 s: wait until both agree.
            string shown = string.Empty, counted = string.Empty, states = string.Empty;
            var agreed = Stopwatch.StartNew();
            while (agreed.Elapsed < TimeSpan.FromSeconds(60))
            {
                shown = Regex.Match(await page.EvaluateExpressionAsync<string>("document.querySelector('tr.service[data-service=\"web\"] td.total').textContent"), @"^(\d+) total").Groups[1].Value;
                counted = Regex.Match(LabKernel.Run("ipvsadm", "-Ln --stats"), $@"TCP\s+{Regex.Escape(Vip)}:80\s+(\d+)").Groups[1].Value;
                states = await page.EvaluateExpressionAsync<string>("[...document.querySelectorAll('tr.destination[data-service=\"web\"]')].map(r => r.dataset.state).join(',')");
                if (shown == counted && int.TryParse(shown, out int n) && n >= requests && states == "up,draining,down")
                {
                    break;
                }

                await Task.Delay(500, TestContext.Current.CancellationToken);
            }

            string? output = Environment.GetEnvironmentVariable("FUSISTEST_LAB_OUT");
            if (output is not null)
            {
                await page.ScreenshotAsync(Path.Combine(output, "status-page-lab.png"));
            }

            Console.WriteLine($"status page (lab, real kernel): rendered {rendered.TotalSeconds:0.0} s after navigation (emulated); web shows {shown} connections, ipvsadm counts {counted}; destinations {states}");
            Assert.Equal(counted, shown);
            Assert.True(int.Parse(shown, System.Globalization.CultureInfo.InvariantCulture) >= requests, $"the page shows {shown} connections after {requests} requests");
            Assert.Equal("up,draining,down", states);
        }
        finally
        {
            foreach (Process server in servers)
            {
                server.Kill();
                server.Dispose();
            }

            LabKernel.Run("ipvsadm", $"-D -t {Vip}:80", check: false);
            LabKernel.Run("ip", $"addr del {Vip}/32 dev lo", check: false);
            LabKernel.Run("ip", $"addr del {Backend}/32 dev lo", check: false);
        }
    }

    // One request through the VIP, retried while the backend's python starts.
    private static void WaitForAnswer(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using HttpResponseMessage response = http.GetAsync($"http://{Vip}/").GetAwaiter().GetResult();
                response.EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(500);
            }
        }
    }
}
