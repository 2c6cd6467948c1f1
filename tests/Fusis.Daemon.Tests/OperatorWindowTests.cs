using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fusis.TestSupport;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fusis.Daemon.Tests;

/// <summary>
/// What an operator watches a balancer through: the event stream (resumed without a gap, with a signal when the gap
/// is too old), drain and undrain, the status page's data, the OpenAPI description (held to the routes mapped) and
/// /metrics (held to promtool and to the Grafana dashboard).
/// </summary>
public sealed partial class OperatorWindowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_that_reconnects_with_Last_Event_ID_gets_what_it_missed_and_nothing_twice()
    {
        await using ApiHost host = await ApiHost.StartAsync("--event-history", "100");
        await Created(host, "/services", """{"Name":"web","Address":"198.18.0.10","Port":80,"Scheduler":"rr"}""");
        await Created(host, "/services/web/destinations", """{"Name":"b1","Address":"198.18.1.1","Port":80}""");

        List<SseMessage> first = await ReadUntilCaughtUpAsync(host, lastEventId: null);
        Assert.Equal(["service-created", "destination-added"], first.Where(m => m.Id is not null).Select(m => m.Event));
        string last = first.Last(m => m.Id is not null).Id!;

        // While disconnected: two destinations, a drain.
        await Created(host, "/services/web/destinations", """{"Name":"b2","Address":"198.18.1.2","Port":80}""");
        await Created(host, "/services/web/destinations", """{"Name":"b3","Address":"198.18.1.3","Port":80}""");
        using (HttpResponseMessage drained = await host.SendAsync(HttpMethod.Post, "/services/web/destinations/b2/drain"))
        {
            Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
        }

        List<SseMessage> resumed = await ReadUntilCaughtUpAsync(host, last);

        var events = resumed.Where(m => m.Id is not null).ToList();
        Assert.Equal(["destination-added", "destination-added", "destination-draining"], events.Select(m => m.Event));
        Assert.Equal(Enumerable.Range(1, 3).Select(i => long.Parse(last, System.Globalization.CultureInfo.InvariantCulture) + i), events.Select(m => long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.DoesNotContain(resumed, m => m.Event == "missed");
        JsonElement drain = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal(("web", "198.18.1.2:80", "POST /services/web/destinations/b2/drain"),
            (drain.GetProperty("Service").GetString(), drain.GetProperty("Destination").GetString(), drain.GetProperty("Reason").GetString()));

        // Away for longer than the history holds (100 events): told so first, then the oldest kept onwards.
        for (int i = 0; i < 60; i++)
        {
            await host.SendAsync(HttpMethod.Post, "/services/web/destinations/b3/drain");
            await host.SendAsync(HttpMethod.Post, "/services/web/destinations/b3/undrain");
        }

        List<SseMessage> late = await ReadUntilCaughtUpAsync(host, events[^1].Id);
        Assert.Equal("missed", late[0].Event);
        Assert.Equal(100, late.Count(m => m.Id is not null));
    }

    [Fact]
    public async Task Events_can_be_filtered_and_a_bad_position_or_type_is_a_400()
    {
        await using ApiHost host = await ApiHost.StartAsync();
        await Created(host, "/services", """{"Name":"web","Address":"198.18.0.10","Port":80,"Scheduler":"rr","Destinations":[{"Address":"198.18.1.1","Port":80}]}""");
        await Created(host, "/services", """{"Name":"api","Address":"198.18.0.11","Port":80,"Scheduler":"rr"}""");

        List<SseMessage> web = await ReadUntilCaughtUpAsync(host, null, "?service=web&type=service-created");

        Assert.Equal(["service-created"], web.Where(m => m.Id is not null).Select(m => m.Event));
        using HttpResponseMessage badType = await host.SendAsync(HttpMethod.Get, "/events?type=service-exploded");
        using HttpResponseMessage badPosition = await host.SendAsync(HttpMethod.Get, "/events?after=yesterday");
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (badType.StatusCode, badPosition.StatusCode));
        Assert.Contains("service-created", await badType.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_holds_a_destination_at_weight_0_keeping_its_weight_and_undrain_puts_it_back()
    {
        await using ApiHost host = await ApiHost.StartAsync();
        await Created(host, "/services", """{"Name":"web","Address":"198.18.0.10","Port":80,"Scheduler":"wrr","Destinations":[{"Name":"b1","Address":"198.18.1.1","Port":80,"Weight":3}]}""");

        using HttpResponseMessage drained = await host.SendAsync(HttpMethod.Post, "/services/web/destinations/b1/drain");
        JsonElement during = JsonDocument.Parse(await drained.Content.ReadAsStringAsync(Cancellation)).RootElement;
        int weightDuring = KernelWeight(host);
        bool savedDrained = host.Saved.Services.Single().Labels.Values.Single().Drained;
        using HttpResponseMessage undrained = await host.SendAsync(HttpMethod.Post, "/services/web/destinations/198.18.1.1:80/undrain");

        Assert.Equal((3, true, 0, true), (during.GetProperty("Weight").GetInt32(), during.GetProperty("Drained").GetBoolean(), weightDuring, savedDrained));
        Assert.Equal(HttpStatusCode.OK, undrained.StatusCode);
        Assert.Equal(3, KernelWeight(host));
        using HttpResponseMessage unknown = await host.SendAsync(HttpMethod.Post, "/services/web/destinations/b9/drain");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Status_pages_and_filters_services_and_says_why_a_destination_is_down()
    {
        using var backends = new LoopbackHttpServers(1);
        int port = backends.Ports[0];
        await using ApiHost host = await ApiHost.StartAsync();
        for (int i = 0; i < 5; i++)
        {
            await Created(host, "/services", $$"""{"Name":"svc{{i}}","Address":"198.18.0.{{20 + i}}","Port":80,"Scheduler":"rr"}""");
        }

        await Created(host, "/services", $$"""{"Name":"web","Address":"198.18.0.10","Port":80,"Scheduler":"rr","Destinations":[{"Name":"up1","Address":"127.0.0.1","Port":{{port}}},{"Name":"gone","Address":"127.0.0.1","Port":9}]}""");
        using (HttpResponseMessage check = await host.SendAsync(HttpMethod.Post, "/services/web/check", """{"Type":"tcp","Interval":"200ms","Timeout":"150ms","Fall":1,"Rise":1}"""))
        {
            Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        }

        JsonElement down = default;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            JsonElement web = (await Status(host, "?filter=WEB")).GetProperty("Items")[0];
            down = web.GetProperty("Destinations").EnumerateArray().Single(d => d.GetProperty("Name").GetString() == "gone");
            if (down.GetProperty("State").GetString() == "down")
            {
                break;
            }

            await Task.Delay(100, Cancellation);
        }

        Assert.Equal("down", down.GetProperty("State").GetString());
        Assert.Matches("^tcp check: .* after \\d+ ms \\(1 failure in a row\\)$", down.GetProperty("Reason").GetString()!);
        Assert.NotEqual(JsonValueKind.Null, down.GetProperty("Since").ValueKind);
        JsonElement second = await Status(host, "?size=2&page=2");
        Assert.Equal((6, 3, 2), (second.GetProperty("Services").GetInt32(), second.GetProperty("Pages").GetInt32(), second.GetProperty("Items").GetArrayLength()));
        JsonElement problems = await Status(host, "?problems=true");
        Assert.Equal(["web"], problems.GetProperty("Items").EnumerateArray().Select(s => s.GetProperty("Name").GetString()));
        Assert.Equal(1, problems.GetProperty("Items")[0].GetProperty("Healthy").GetInt32());
        using HttpResponseMessage badPage = await host.SendAsync(HttpMethod.Get, "/status?page=0");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
    }

    [Fact]
    public async Task The_status_page_is_one_self_contained_file_that_needs_no_token_while_its_data_does_beyond_loopback()
    {
        const string token = "window-token-0123456789";
        string folder = Directory.CreateTempSubdirectory("fusis-window-").FullName;
        await using ApiHost host = await ApiHost.StartAsync("--token-file", ApiHost.WriteToken(folder, token));

        using HttpResponseMessage page = await host.SendAsync(HttpMethod.Get, "/");
        string html = await page.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        // Nothing from elsewhere: no script, style or image source, no link to another origin.
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Contains("/events", html, StringComparison.Ordinal);
        using HttpResponseMessage drainWithoutToken = await host.SendAsync(HttpMethod.Post, "/services/web/destinations/b1/drain");
        Assert.Equal(HttpStatusCode.Unauthorized, drainWithoutToken.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_route_mapped_and_nothing_else()
    {
        await using ApiHost host = await ApiHost.StartAsync();
        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Get, "/openapi.json");
        JsonElement paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement.GetProperty("paths");

        var mapped = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText != "/openapi.json")
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: e.RoutePattern.RawText!, Method: m.ToLowerInvariant())))
            .ToHashSet();
        var documented = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name != "parameters").Select(o => (Path: p.Name, Method: o.Name))).ToHashSet();

        Assert.Equal(mapped.Order(), documented.Order());
        foreach ((string path, string method) in mapped)
        {
            JsonElement operation = paths.GetProperty(path).GetProperty(method);
            Assert.True(operation.TryGetProperty("summary", out JsonElement summary) && summary.GetString() is { Length: > 10 }, $"{method} {path} has no summary");
            var statuses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(statuses.Any(s => s.StartsWith('2')) && statuses.Contains("401"), $"{method} {path} documents {string.Join(",", statuses)}");
        }

        Assert.True(paths.GetProperty("/services").GetProperty("post").TryGetProperty("requestBody", out _), "POST /services does not describe its body");
    }

    [Fact]
    public async Task Metrics_pass_promtool_and_carry_build_info_and_each_destinations_state()
    {
        using var backends = new LoopbackHttpServers(1);
        await using ApiHost host = await ApiHost.StartAsync();
        await Created(host, "/services", $$"""{"Name":"web","Address":"198.18.0.10","Port":80,"Scheduler":"rr","Destinations":[{"Address":"127.0.0.1","Port":{{backends.Ports[0]}}},{"Address":"198.18.1.2","Port":80}]}""");
        await host.SendAsync(HttpMethod.Post, "/services/web/destinations/198.18.1.2:80/drain");
        string metrics = await (await host.SendAsync(HttpMethod.Get, "/metrics")).Content.ReadAsStringAsync(Cancellation);

        (int code, string output) = Run("promtool", "check metrics", metrics);

        Assert.True(code == 0, $"promtool check metrics: {output}");
        Assert.Matches("fusis_build_info\\{version=\"\\d+\\.\\d+\\.\\d+\"\\} 1", metrics);
        Assert.Contains("fusis_destination_state{service=\"web\",vip=\"TCP 198.18.0.10:80\",destination=\"198.18.1.2:80\",state=\"draining\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("fusis_destination_state{service=\"web\",vip=\"TCP 198.18.0.10:80\",destination=\"198.18.1.2:80\",state=\"up\"} 0", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Grafana_dashboard_uses_only_metrics_the_balancer_writes()
    {
        await using ApiHost host = await ApiHost.StartAsync();
        await Created(host, "/services", """{"Name":"web","Address":"198.18.0.10","Port":80,"Scheduler":"rr","Destinations":[{"Address":"198.18.1.1","Port":80}]}""");
        string metrics = await (await host.SendAsync(HttpMethod.Get, "/metrics")).Content.ReadAsStringAsync(Cancellation);
        var written = metrics.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet(StringComparer.Ordinal);
        // Cluster metrics appear only on a clustered balancer: the dashboard may use those the README lists.
        written.UnionWith(["fusis_cluster_leader", "fusis_cluster_failovers_total", "fusis_cluster_etcd_reachable", "fusis_cluster_role"]);

        string dashboard = File.ReadAllText(Path.Combine(Repository.Root, "src", "Fusis.Daemon", "grafana", "fusis-dashboard.json"));
        var expressions = JsonDocument.Parse(dashboard).RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        var used = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(expressions);
        Assert.Empty(used.Except(written));
    }

    [Fact]
    public async Task Only_an_anycast_balancer_drains_and_a_lone_one_says_its_mode()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage cluster = await host.SendAsync(HttpMethod.Get, "/cluster");
        using HttpResponseMessage drain = await host.SendAsync(HttpMethod.Post, "/cluster/drain");
        using JsonDocument read = JsonDocument.Parse(await cluster.Content.ReadAsStringAsync(Cancellation));
        string refused = await drain.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(("leader", false), (read.RootElement.GetProperty("Mode").GetString(), read.RootElement.GetProperty("Draining").GetBoolean()));
        Assert.Equal(HttpStatusCode.Conflict, drain.StatusCode);
        Assert.Contains("only an anycast balancer", refused, StringComparison.Ordinal);
    }

    private static async Task Created(ApiHost host, string path, string json)
    {
        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, path, json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
    }

    private static async Task<JsonElement> Status(ApiHost host, string query)
    {
        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Get, "/status" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement.Clone();
    }

    private static int KernelWeight(ApiHost host) => host.Kernel.GetDestinations(host.Kernel.GetServices().Single().Key).Single().Weight;

    // Connects to /events (resuming after lastEventId), reads until "caught-up", and disconnects.
    private static async Task<List<SseMessage>> ReadUntilCaughtUpAsync(ApiHost host, string? lastEventId, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events" + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(Patience);
        using HttpResponseMessage response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var messages = new List<SseMessage>();
        while (await reader.ReadAsync(timeout.Token) is { } message && message.Event != "caught-up")
        {
            messages.Add(message);
        }

        return messages;
    }

    private static (int Code, string Output) Run(string program, string arguments, string stdin)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(info)
            ?? throw new InvalidOperationException($"cannot start {program}: install Debian's prometheus package (build.ps1 -Task Test does)");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(Cancellation);
        Task<string> stderr = process.StandardError.ReadToEndAsync(Cancellation);
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"{program} did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex("fusis_[a-z_]+|process_[a-z_]+|dotnet_[a-z_]+")]
    private static partial Regex MetricName();
}
