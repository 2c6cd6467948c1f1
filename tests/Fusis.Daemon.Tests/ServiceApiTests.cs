using System.Net;
using System.Text.Json;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Tests;

/// <summary>Every service route and status code over the in-memory kernel (the lab proves the daemon against the real one).</summary>
public sealed class ServiceApiTests
{
    private const string OriginalService = """{"Name":"web","Host":"198.18.0.1","Port":80,"Protocol":"tcp","Scheduler":"rr","Mode":"nat","Persistent":0}""";

    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    [Fact]
    public async Task An_original_Fusis_body_creates_the_service_201_with_Location_in_the_store_and_the_kernel()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, "/services", OriginalService);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/services/web", response.Headers.Location?.OriginalString);
        using JsonDocument body = await Json(response);
        Assert.Equal(("web", "198.18.0.1", 80, "tcp", "rr", "nat"), (
            body.RootElement.GetProperty("Name").GetString(), body.RootElement.GetProperty("Address").GetString(), body.RootElement.GetProperty("Port").GetInt32(),
            body.RootElement.GetProperty("Protocol").GetString(), body.RootElement.GetProperty("Scheduler").GetString(), body.RootElement.GetProperty("Mode").GetString()));
        Assert.Equal("rr", host.Kernel.GetService(Web)!.Scheduler);
        Assert.Equal("web", Assert.Single(host.Saved.Services).Name);
    }

    [Fact]
    public async Task Field_names_are_case_insensitive_in_and_PascalCase_out()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage created = await host.SendAsync(HttpMethod.Post, "/services", """{"name":"dns","PROTOCOL":"udp","address":"fd00::53","port":53}""");
        using HttpResponseMessage listed = await host.SendAsync(HttpMethod.Get, "/services");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string text = await listed.Content.ReadAsStringAsync();
        Assert.StartsWith("""[{"Name":"dns","Address":"fd00::53","Port":53,"Protocol":"udp",""", text, StringComparison.Ordinal);
        Assert.Contains("\"Scheduler\":\"wlc\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_of_an_unknown_service_is_404_with_a_message()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Get, "/services/nosuch");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no service named 'nosuch'", (await Json(response)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Name":"web","Address":"198.18.0.9","Port":80}""", "a service named 'web' already exists")]
    [InlineData("""{"Name":"web2","Address":"198.18.0.1","Port":80}""", "is already the service 'web'")]
    [InlineData("""{"Name":"dns","Protocol":"udp","Address":"198.18.0.53","Port":53}""", "Fusis does not own it")]
    public async Task Conflicts_are_409_and_change_nothing(string json, string message)
    {
        await using ApiHost host = await WithWebAndAnUnmanagedDns();
        DesiredState before = host.Saved;

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, "/services", json);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains(message, (await Json(response)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, host.Saved);
        Assert.Equal(2, host.Kernel.GetServices().Count);
    }

    [Fact]
    public async Task Every_invalid_field_is_named_in_one_422_and_nothing_changes()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage response = await host.SendAsync(
            HttpMethod.Post, "/services", """{"Name":"bad name!","Address":"198.18.0.300","Port":70000,"Protocol":"icmp","Scheduler":"x y","Mode":"magic"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        JsonElement errors = (await Json(response)).RootElement.GetProperty("errors");
        Assert.Equal(["Address", "Mode", "Name", "Port", "Protocol", "Scheduler"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Empty(host.Kernel.GetServices());
        Assert.False(File.Exists(host.StatePath));
    }

    [Theory]
    [InlineData("{", HttpStatusCode.BadRequest)]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    [InlineData("\"web\"", HttpStatusCode.BadRequest)]
    [InlineData("""{"Name":"web","Port":"eighty"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"Name":"web","Port":1e10}""", HttpStatusCode.BadRequest)]
    [InlineData("null", HttpStatusCode.BadRequest)]
    [InlineData("""{"Name":"web","Address":"198.18.0.1"}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"fw","Protocol":"fwm"}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"fw","Protocol":"fwm","FirewallMark":7,"Port":80}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"198.18.0.1","Port":80,"Netmask":"300.0.0.0"}""", HttpStatusCode.UnprocessableEntity)]
    // Hardening campaign (#18): each of these was 201, stored as something else than what was asked.
    [InlineData("""{"Name":"web","Address":"198.18.0.1","Port":80,"Persistent":17179870}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"198.18.0.1","Port":80,"Persistent":2147483647}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"198.18.0.1","Port":80,"Persistent":300,"Netmask":"1.2.3"}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"198.18.0.1","Port":80,"Persistent":300,"Netmask":"255.0.255.0"}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"3323068417","Port":80}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"0xC6120001","Port":80}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"198.0x12.0.1","Port":80}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"fe80::1%eth0","Port":80}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"198.18.0.1","Port":80,"Destinations":[{"Address":"198.18.0.011","Mode":"nat"}]}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"Name":"web","Address":"198.18.0.1","Port":80,"Destinations":[{"Address":"fd00::1","Mode":"nat"}]}""", HttpStatusCode.UnprocessableEntity)]
    public async Task Bad_bodies_are_4xx_never_500(string json, HttpStatusCode expected)
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, "/services", json);

        Assert.Equal(expected, response.StatusCode);
        Assert.True((await Json(response)).RootElement.GetProperty("error").GetString()!.Length > 0);
        Assert.Empty(host.Kernel.GetServices());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, "/services", $$"""{"Name":"web","Scheduler":"{{new string('x', 5000)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("4096 bytes", (await Json(response)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_creates_then_replaces_keeping_destinations_and_refuses_a_new_identity()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage created = await host.SendAsync(HttpMethod.Put, "/services/web", """{"Address":"198.18.0.1","Port":80,"Destinations":[{"Address":"198.18.1.1"}]}""");
        using HttpResponseMessage replaced = await host.SendAsync(HttpMethod.Put, "/services/web", """{"Address":"198.18.0.1","Port":80,"Scheduler":"sh"}""");
        using HttpResponseMessage moved = await host.SendAsync(HttpMethod.Put, "/services/web", """{"Address":"198.18.0.2","Port":80}""");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity), (created.StatusCode, replaced.StatusCode, moved.StatusCode));
        Assert.Equal("sh", host.Kernel.GetService(Web)!.Scheduler);
        Assert.Equal(80, Assert.Single(host.Kernel.GetDestinations(Web)).Port);
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_given_and_can_rename()
    {
        await using ApiHost host = await WithWebAndAnUnmanagedDns();

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Patch, "/services/web", """{"Scheduler":"wrr","Persistent":300,"Name":"www"}""");
        using HttpResponseMessage identity = await host.SendAsync(HttpMethod.Patch, "/services/www", """{"Port":81}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("www", 300u), ((await Json(response)).RootElement.GetProperty("Name").GetString(), (await Json(response)).RootElement.GetProperty("Persistent").GetUInt32()));
        IpvsService kernel = host.Kernel.GetService(Web)!;
        Assert.Equal(("wrr", 300u), (kernel.Scheduler, kernel.Timeout));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, identity.StatusCode);
        Assert.Equal("www", Assert.Single(host.Saved.Services).Name);
    }

    [Fact]
    public async Task Delete_is_204_removes_it_from_the_kernel_and_then_404()
    {
        await using ApiHost host = await WithWebAndAnUnmanagedDns();

        using HttpResponseMessage deleted = await host.SendAsync(HttpMethod.Delete, "/services/web");
        using HttpResponseMessage again = await host.SendAsync(HttpMethod.Delete, "/services/web");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (deleted.StatusCode, again.StatusCode));
        Assert.Null(host.Kernel.GetService(Web));
        Assert.Single(host.Kernel.GetServices()); // the unmanaged one stays
        Assert.Equal(DesiredState.Empty, host.Saved);
    }

    [Fact]
    public async Task DryRun_returns_the_plan_and_changes_nothing()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage response = await host.SendAsync(
            HttpMethod.Post, "/services?dryRun=true", """{"Name":"web","Address":"198.18.0.1","Port":80,"Destinations":[{"Address":"198.18.1.1"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement body = (await Json(response)).RootElement;
        Assert.True(body.GetProperty("DryRun").GetBoolean());
        Assert.Equal(2, body.GetProperty("Operations").GetArrayLength());
        Assert.Empty(host.Kernel.GetServices());
        Assert.False(File.Exists(host.StatePath));
    }

    [Fact]
    public async Task A_change_the_kernel_refuses_is_undone_and_422()
    {
        await using ApiHost host = await WithWebAndAnUnmanagedDns();
        DesiredState before = host.Saved;

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Patch, "/services/web", """{"Scheduler":"nosuch"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using JsonDocument body = await Json(response);
        Assert.Contains("undone", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(["the kernel has no scheduler 'nosuch' (no module ip_vs_nosuch)"], body.RootElement.GetProperty("errors").GetProperty("Scheduler").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(before, host.Saved);
        Assert.Equal("rr", host.Kernel.GetService(Web)!.Scheduler);
    }

    [Fact]
    public async Task A_hundred_concurrent_creates_are_all_applied_and_the_store_is_consistent()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            host.SendAsync(HttpMethod.Post, "/services", $$"""{"Name":"s{{i}}","Address":"198.18.{{i / 200}}.{{i % 200 + 1}}","Port":80,"Destinations":[{"Address":"198.19.0.1"}]}""")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(100, host.Saved.Services.Count);
        Assert.Equal(100, host.Kernel.GetServices().Count);
        Assert.Equal(
            host.Saved.Services.Select(s => s.Key.ToString()).Order(StringComparer.Ordinal),
            host.Kernel.GetServices().Select(s => s.Key.ToString()).Order(StringComparer.Ordinal));
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Health_lists_unmanaged_services_and_metrics_speak_prometheus()
    {
        await using ApiHost host = await WithWebAndAnUnmanagedDns();

        JsonElement health = (await Json(await host.SendAsync(HttpMethod.Get, "/health"))).RootElement;
        using HttpResponseMessage metrics = await host.SendAsync(HttpMethod.Get, "/metrics");
        string text = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(("ok", 1), (health.GetProperty("Status").GetString(), health.GetProperty("Services").GetInt32()));
        Assert.Equal(["UDP 198.18.0.53:53"], health.GetProperty("Unmanaged").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("text/plain; version=0.0.4", metrics.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("fusis_service_connections_total{service=\"web\",vip=\"TCP 198.18.0.1:80\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("fusis_service_connections_total{service=\"\",vip=\"UDP 198.18.0.53:53\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE fusis_reconciles_total counter\nfusis_reconciles_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("fusis_store_writes_total ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_are_404_in_the_error_shape()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Get, "/nothing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no route GET /nothing", (await Json(response)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    internal static async Task<ApiHost> WithWebAndAnUnmanagedDns()
    {
        ApiHost host = await ApiHost.StartAsync();
        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, "/services", OriginalService);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        host.Kernel.Apply([IpvsOperation.AddService(new IpvsService { Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("198.18.0.53"), 53) })]);
        return host;
    }

    internal static async Task<JsonDocument> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync());
}
