using System.Net;
using System.Text.Json;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Tests;

public sealed class DestinationApiTests
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    [Fact]
    public async Task An_original_destination_body_is_201_with_Location_and_addressable_by_name_or_endpoint()
    {
        await using ApiHost host = await ServiceApiTests.WithWebAndAnUnmanagedDns();

        using HttpResponseMessage created = await host.SendAsync(
            HttpMethod.Post, "/services/web/destinations", """{"Name":"node1","Host":"198.18.1.1","Port":8080,"Weight":2,"Mode":"nat","ServiceId":"web"}""");
        using HttpResponseMessage unnamed = await host.SendAsync(HttpMethod.Post, "/services/web/destinations", """{"address":"198.18.1.2"}""");
        using HttpResponseMessage listed = await host.SendAsync(HttpMethod.Get, "/services/web/destinations");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (created.StatusCode, unnamed.StatusCode));
        Assert.Equal("/services/web/destinations/node1", created.Headers.Location?.OriginalString);
        Assert.Equal("/services/web/destinations/198.18.1.2%3A80", unnamed.Headers.Location?.OriginalString);
        JsonElement[] destinations = [.. (await ServiceApiTests.Json(listed)).RootElement.EnumerateArray()];
        Assert.Equal(["node1", "198.18.1.2:80"], destinations.Select(d => d.GetProperty("Name").GetString()));
        Assert.Equal(["web", "web"], destinations.Select(d => d.GetProperty("ServiceId").GetString()));
        Assert.Equal([2, 1], host.Kernel.GetDestinations(Web).Select(d => d.Weight).Reverse()); // the kernel lists the newest first
        Assert.Equal("node1", host.Saved.Services.Single().LabelOf(host.Saved.Services.Single().Destinations[0])?.Name);
    }

    [Fact]
    public async Task Patch_drains_a_destination_and_Delete_removes_it_by_name_or_endpoint()
    {
        await using ApiHost host = await ServiceApiTests.WithWebAndAnUnmanagedDns();
        (await host.SendAsync(HttpMethod.Post, "/services/web/destinations", """{"Name":"node1","Address":"198.18.1.1"}""")).Dispose();
        (await host.SendAsync(HttpMethod.Post, "/services/web/destinations", """{"Address":"198.18.1.2","Port":8080}""")).Dispose();

        using HttpResponseMessage drained = await host.SendAsync(HttpMethod.Patch, "/services/web/destinations/node1", """{"Weight":0}""");
        Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
        Assert.Equal(0, (await ServiceApiTests.Json(drained)).RootElement.GetProperty("Weight").GetInt32());
        Assert.Equal(0, host.Kernel.GetDestinations(Web).Single(d => d.Port == 80).Weight);

        using HttpResponseMessage byName = await host.SendAsync(HttpMethod.Delete, "/services/web/destinations/NODE1");
        using HttpResponseMessage byEndPoint = await host.SendAsync(HttpMethod.Delete, "/services/web/destinations/198.18.1.2:8080");
        using HttpResponseMessage missing = await host.SendAsync(HttpMethod.Delete, "/services/web/destinations/node1");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NotFound), (byName.StatusCode, byEndPoint.StatusCode, missing.StatusCode));
        Assert.Empty(host.Kernel.GetDestinations(Web));
        Assert.Empty(host.Saved.Services.Single().Labels);
    }

    [Theory]
    [InlineData("/services/web/destinations", """{"Address":"198.18.1.1","Mode":"nat","TunnelType":"gue"}""", HttpStatusCode.UnprocessableEntity, "Mode")]
    [InlineData("/services/web/destinations", """{"Address":"198.18.1.1","Weight":70000,"LowerThreshold":5}""", HttpStatusCode.UnprocessableEntity, "Weight")]
    [InlineData("/services/web/destinations", """{"Address":"fd00::1"}""", HttpStatusCode.UnprocessableEntity, "Address")]
    [InlineData("/services/web/destinations", """{"Address":"198.18.1.1","Mode":"tunnel","TunnelType":"gue"}""", HttpStatusCode.UnprocessableEntity, "TunnelPort")]
    [InlineData("/services/web/destinations", """{"Name":"taken","Address":"198.18.1.9"}""", HttpStatusCode.Conflict, null)]
    [InlineData("/services/web/destinations", """{"Address":"198.18.1.5"}""", HttpStatusCode.Conflict, null)]
    [InlineData("/services/nosuch/destinations", """{"Address":"198.18.1.1"}""", HttpStatusCode.NotFound, null)]
    public async Task Bad_destinations_are_refused_and_change_nothing(string path, string json, HttpStatusCode expected, string? field)
    {
        await using ApiHost host = await ServiceApiTests.WithWebAndAnUnmanagedDns();
        (await host.SendAsync(HttpMethod.Post, "/services/web/destinations", """{"Name":"taken","Address":"198.18.1.5"}""")).Dispose();
        DesiredState before = host.Saved;

        using HttpResponseMessage response = await host.SendAsync(HttpMethod.Post, path, json);

        Assert.Equal(expected, response.StatusCode);
        if (field is not null)
        {
            Assert.True((await ServiceApiTests.Json(response)).RootElement.GetProperty("errors").TryGetProperty(field, out _));
        }

        Assert.Equal(before, host.Saved);
        Assert.Single(host.Kernel.GetDestinations(Web));
    }
}
