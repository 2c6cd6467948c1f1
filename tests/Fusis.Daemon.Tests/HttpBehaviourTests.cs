using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Fusis.Daemon.Tests;

/// <summary>What an HTTP client may rely on beyond the routes themselves (#18's defects, each as its request).</summary>
public sealed class HttpBehaviourTests
{
    private const string Token = "s3cret-token-of-enough-length";

    [Theory]
    [InlineData("/services")]
    [InlineData("/health")]
    [InlineData("/metrics")]
    [InlineData("/members")]
    public async Task HEAD_on_a_read_route_answers_as_GET_without_a_body(string path)
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage get = await host.SendAsync(HttpMethod.Get, path);
        using HttpResponseMessage head = await host.SendAsync(HttpMethod.Head, path);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (get.StatusCode, head.StatusCode));
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("DELETE", "/health", "GET, HEAD")]
    [InlineData("OPTIONS", "/services", "GET, HEAD, POST")]
    [InlineData("PUT", "/services/web/check", "DELETE, POST")]
    public async Task A_known_route_with_another_method_is_405_with_Allow_even_without_the_token(string method, string path, string allow)
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("fusis-http-");
        try
        {
            await using ApiHost host = await ApiHost.StartAsync("--token-file", ApiHost.WriteToken(folder.FullName, Token));

            using HttpResponseMessage response = await host.SendAsync(new HttpMethod(method), path);

            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow.Order(StringComparer.Ordinal)));
            using JsonDocument body = await ServiceApiTests.Json(response);
            Assert.Equal("UnknownRoute", body.RootElement.GetProperty("code").GetString());
            Assert.StartsWith($"{path} does not take {method}; it takes ", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_unknown_path_is_404_in_the_error_shape_for_any_method()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage get = await host.SendAsync(HttpMethod.Get, "/nothing");
        using HttpResponseMessage post = await host.SendAsync(HttpMethod.Post, "/nothing/here", "{}");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (get.StatusCode, post.StatusCode));
        Assert.Equal("no route POST /nothing/here", (await ServiceApiTests.Json(post)).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_413_says_Connection_close_and_the_next_request_succeeds()
    {
        await using ApiHost host = await ApiHost.StartAsync();

        using HttpResponseMessage tooLarge = await host.SendAsync(HttpMethod.Post, "/services", $$"""{"Name":"web","Scheduler":"{{new string('x', 5000)}}"}""");
        using HttpResponseMessage next = await host.SendAsync(HttpMethod.Get, "/services");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.True(tooLarge.Headers.ConnectionClose, "a 413 whose body was not read must close the connection, and say so");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData(4096, HttpStatusCode.OK)]
    [InlineData(4097, HttpStatusCode.RequestEntityTooLarge)]
    public async Task A_chunked_body_has_the_same_limit_as_a_sized_one(int size, HttpStatusCode expected)
    {
        await using ApiHost host = await ApiHost.StartAsync(); // --max-body-bytes 4096
        const string json = """{"Name":"web","Address":"198.18.0.1","Port":80}""";
        byte[] body = Encoding.UTF8.GetBytes(json + new string(' ', size - json.Length)); // trailing white space is valid JSON

        using HttpResponseMessage sized = await Post(host, new ByteArrayContent(body));
        using HttpResponseMessage chunked = await Post(host, new StreamContent(new UnsizedStream(body)));

        Assert.Equal((expected, expected), (sized.StatusCode, chunked.StatusCode));
        Assert.Empty(host.Kernel.GetServices()); // dry runs
    }

    private static Task<HttpResponseMessage> Post(ApiHost host, HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/services?dryRun=true") { Content = content };
        if (content is StreamContent)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return host.Client.SendAsync(request);
    }

    // A stream whose length is unknown, so HttpClient must send it chunked.
    private sealed class UnsizedStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
