using System.Net;
using System.Text.Json;
using Fusis.Core.State;

namespace Fusis.Daemon.Tests;

public sealed class CheckApiTests
{
    [Fact]
    public async Task An_original_CheckSpec_is_accepted_shown_saved_and_deleted()
    {
        await using ApiHost host = await ServiceApiTests.WithWebAndAnUnmanagedDns();

        // A number is seconds, as the original Fusis read it.
        using HttpResponseMessage created = await host.SendAsync(
            HttpMethod.Post, "/services/web/check", """{"ServiceID":"web","Type":"http","HttpPath":"/healthz","Interval":0.5,"Timeout":"200ms","Fall":3}""");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        JsonElement check = (await ServiceApiTests.Json(created)).RootElement.GetProperty("Check");
        Assert.Equal(("http", "/healthz", 0.5, 0.2, 3), (
            check.GetProperty("Type").GetString(), check.GetProperty("Path").GetString(), check.GetProperty("IntervalSeconds").GetDouble(),
            check.GetProperty("TimeoutSeconds").GetDouble(), check.GetProperty("Fall").GetInt32()));
        HealthCheck saved = host.Saved.Services.Single().Check!;
        Assert.Equal((HealthCheckType.Http, TimeSpan.FromMilliseconds(500)), (saved.Type, saved.Interval));

        using HttpResponseMessage deleted = await host.SendAsync(HttpMethod.Delete, "/services/web/check");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(host.Saved.Services.Single().Check);
    }

    [Theory]
    [InlineData("""{"Type":"icmp"}""", "Type")]
    [InlineData("""{"Interval":"soon"}""", "Interval")]
    [InlineData("""{"Interval":"1s","Timeout":"2s"}""", "Check")]
    [InlineData("""{"ExpectedStatus":"200-99"}""", "Check")]
    [InlineData("""{"Action":"explode"}""", "Action")]
    // Hardening campaign (#18): these were 500 "internal error" (an OverflowException escaped the mapping).
    [InlineData("""{"Interval":"50ms","Timeout":"Infinitys"}""", "Timeout")]
    [InlineData("""{"Interval":"Infinitys"}""", "Interval")]
    [InlineData("""{"Interval":9223372036854775808}""", "Interval")]
    [InlineData("""{"Interval":"1e300s"}""", "Interval")]
    [InlineData("""{"Interval":"2d","Timeout":"1s"}""", "Interval")]
    [InlineData("""{"Interval":9000000000000000000,"Timeout":"1s"}""", "Interval")]
    [InlineData("""{"Interval":-5}""", "Interval")]
    public async Task A_bad_check_is_422_with_its_field_and_changes_nothing(string json, string field)
    {
        await using ApiHost host = await ServiceApiTests.WithWebAndAnUnmanagedDns();
        DesiredState before = host.Saved;

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, "/services/web/check", json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await ServiceApiTests.Json(response)).RootElement.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, host.Saved);
    }

    [Fact]
    public async Task Without_an_address_a_service_gets_the_lowest_free_one_of_the_VIP_range()
    {
        await using ApiHost host = await ApiHost.StartAsync("--vip-range", "198.18.100.0/30");

        using HttpResponseMessage first = await host.SendAsync(HttpMethod.Post, "/services", """{"Name":"a","Port":80}""");
        using HttpResponseMessage second = await host.SendAsync(HttpMethod.Post, "/services", """{"Name":"b","Port":80}""");
        using HttpResponseMessage full = await host.SendAsync(HttpMethod.Post, "/services", """{"Name":"c","Port":80}""");

        Assert.Equal("198.18.100.1", (await ServiceApiTests.Json(first)).RootElement.GetProperty("Address").GetString());
        Assert.Equal("198.18.100.2", (await ServiceApiTests.Json(second)).RootElement.GetProperty("Address").GetString());
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);
    }
}
