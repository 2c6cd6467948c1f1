using System.Net;
using Fusis.Daemon.Balancer;
using Fusis.TestSupport;

namespace Fusis.Daemon.Tests;

public sealed class AuthenticationTests
{
    private const string Token = "s3cret-token-of-enough-length";

    [Fact]
    public async Task With_a_token_writes_need_it_and_reads_do_not()
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

    [Theory]
    [InlineData(new[] { "--listen", "0.0.0.0:8000" }, "without a token")]
    [InlineData(new[] { "--listen", "198.18.0.1" }, "is not address:port")]
    [InlineData(new[] { "--reconcile-interval", "00:00:00.5" }, "at least 1 second")]
    [InlineData(new[] { "--reconcile-interval", "soon" }, "cannot use the configuration")]
    [InlineData(new[] { "--token-file", "/nonexistent/token" }, "cannot read the token file")]
    [InlineData(new[] { "--frobnicate", "1" }, "unknown argument '--frobnicate'")]
    public void Bad_configuration_refuses_to_start_with_a_clear_message(string[] args, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => BalancerHost.Build([.. args, "--state", "/nonexistent/state.json"], () => new MemoryIpvsKernel()));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
