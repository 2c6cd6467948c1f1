using System.Net;
using System.Text.Json;

namespace Fusis.Daemon.Tests;

/// <summary>
/// The original Fusis's Go client (api/client.go) sends every field of its types, the ones its caller left out as Go
/// zero values: "" for strings, 0 for numbers. These are its requests, byte for byte as it marshals them, and they
/// mean what the original read them as (#18).
/// </summary>
public sealed class OriginalClientTests
{
    [Fact]
    public async Task A_service_with_an_empty_Address_and_Mode_gets_an_address_from_the_range_and_the_default_mode()
    {
        await using ApiHost host = await ApiHost.StartAsync("--vip-range", "198.18.100.0/30");

        using HttpResponseMessage created = await host.SendAsync(HttpMethod.Post, "/services",
            """{"Name":"web","Address":"","Port":80,"Protocol":"tcp","Scheduler":"rr","Mode":"","Persistent":0}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using JsonDocument service = await ServiceApiTests.Json(created);
        Assert.Equal(("198.18.100.1", "198.18.100.1", "nat"), (
            service.RootElement.GetProperty("Address").GetString(), service.RootElement.GetProperty("Host").GetString(), service.RootElement.GetProperty("Mode").GetString()));
    }

    [Fact]
    public async Task A_destination_with_an_empty_Name_and_Mode_gets_its_address_as_name_and_the_service_mode_and_reads_back_Host()
    {
        await using ApiHost host = await ServiceApiTests.WithWebAndAnUnmanagedDns();

        using HttpResponseMessage created = await host.SendAsync(HttpMethod.Post, "/services/web/destinations",
            """{"Name":"","Address":"198.18.1.9","Port":8080,"Weight":1,"Mode":"","ServiceId":"web"}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using JsonDocument destination = await ServiceApiTests.Json(created);
        Assert.Equal(("198.18.1.9:8080", "198.18.1.9", "nat"), (
            destination.RootElement.GetProperty("Name").GetString(), destination.RootElement.GetProperty("Host").GetString(), destination.RootElement.GetProperty("Mode").GetString()));
    }

    [Theory]
    [InlineData("""{"interval":5,"timeout":5}""", 5, 5)] // the original's own test
    [InlineData("""{"ServiceID":"web","Type":"","HttpPath":"","Script":"","Shell":"","Interval":0,"Timeout":0}""", 2, 1)] // all left out: the defaults
    [InlineData("""{"ServiceID":"web","Type":"tcp","HttpPath":"","Script":"","Shell":"","Interval":10,"Timeout":3}""", 10, 3)]
    public async Task A_CheckSpec_reads_numbers_as_seconds_and_zero_values_as_left_out(string json, double interval, double timeout)
    {
        await using ApiHost host = await ServiceApiTests.WithWebAndAnUnmanagedDns();

        using HttpResponseMessage created = await host.SendAsync(HttpMethod.Post, "/services/web/check", json);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        JsonElement check = (await ServiceApiTests.Json(created)).RootElement.GetProperty("Check");
        Assert.Equal(("tcp", interval, timeout), (check.GetProperty("Type").GetString(), check.GetProperty("IntervalSeconds").GetDouble(), check.GetProperty("TimeoutSeconds").GetDouble()));
    }
}
