using System.Net;
using System.Net.Sockets;
using Fusis.Daemon.Api;
using Fusis.Daemon.Balancer;
using Fusis.TestSupport;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Tests;

public sealed class AuthenticationTests
{
    private const string Token = "s3cret-token-of-enough-length";

    [Fact]
    public async Task With_a_token_writes_need_it_and_reads_on_loopback_do_not()
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("fusis-token-");
        try
        {
            await using ApiHost host = await ApiHost.StartAsync("--token-file", ApiHost.WriteToken(folder.FullName, Token));
            const string body = """{"Name":"web","Address":"198.18.0.1","Port":80}""";

            using HttpResponseMessage none = await host.SendAsync(HttpMethod.Post, "/services", body);
            using HttpResponseMessage wrong = await host.SendAsync(HttpMethod.Post, "/services", body, token: Token + "x");
            using HttpResponseMessage right = await host.SendAsync(HttpMethod.Post, "/services", body, token: Token);
            using HttpResponseMessage read = await host.SendAsync(HttpMethod.Get, "/services");

            Assert.Equal(
                (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Created, HttpStatusCode.OK),
                (none.StatusCode, wrong.StatusCode, right.StatusCode, read.StatusCode));
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Single(host.Kernel.GetServices());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // Where a request arrived decides whether a read needs the token: the connection's local end point.
    [Theory]
    [InlineData("GET", "127.0.0.1", false, 200)]
    [InlineData("HEAD", "::1", false, 200)]
    [InlineData("GET", "::ffff:127.0.0.1", false, 200)]
    [InlineData("GET", "198.18.0.1", false, 401)]
    [InlineData("HEAD", "fd00::1", false, 401)]
    [InlineData("GET", "198.18.0.1", true, 200)]
    [InlineData("POST", "198.18.0.1", true, 401)]
    [InlineData("POST", "127.0.0.1", false, 401)]
    [InlineData("DELETE", "unix", false, 200)]
    [InlineData("GET", "unix", false, 200)]
    public async Task Beyond_loopback_reads_need_the_token_too_unless_anonymous_reads_are_allowed(string method, string arrivedOn, bool anonymousReads, int expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (arrivedOn == "unix")
        {
            context.Features.Set<IConnectionEndPointFeature>(new ArrivedOn(new UnixDomainSocketEndPoint("/run/fusis/fusis.sock")));
        }
        else
        {
            context.Connection.LocalIpAddress = IPAddress.Parse(arrivedOn);
        }

        var middleware = new BearerTokenMiddleware(c => { c.Response.StatusCode = 200; return Task.CompletedTask; }, BearerTokenMiddleware.Hash(Token), anonymousReads);

        await middleware.InvokeAsync(context);

        Assert.Equal(expected, context.Response.StatusCode);
    }

    [Theory]
    [InlineData(new[] { "--listen", "0.0.0.0:8000" }, "without a token")]
    [InlineData(new[] { "--listen", "198.18.0.1" }, "is not address:port")]
    [InlineData(new[] { "--reconcile-interval", "00:00:00.5" }, "from 1s to 24h")]
    [InlineData(new[] { "--reconcile-interval", "soon" }, "is not a duration such as")]
    [InlineData(new[] { "--token-file", "/nonexistent/token" }, "cannot read the token file")]
    public void Bad_configuration_refuses_to_start_with_a_clear_message(string[] args, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => BalancerHost.Build([.. args, "--state", "/nonexistent/state.json"], () => new MemoryIpvsKernel()));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_flag_is_a_usage_error()
    {
        var e = Assert.Throws<UsageException>(() => BalancerHost.Build(["--frobnicate", "1"], () => new MemoryIpvsKernel()));

        Assert.Contains("'--frobnicate'", e.Message, StringComparison.Ordinal);
    }

    private sealed class ArrivedOn(EndPoint local) : IConnectionEndPointFeature
    {
        public EndPoint? LocalEndPoint { get; set; } = local;

        public EndPoint? RemoteEndPoint { get; set; }
    }
}
