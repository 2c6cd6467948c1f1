using System.Net.Http.Headers;
using System.Text;
using Fusis.Core.State;
using Fusis.Daemon.Balancer;
using Fusis.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace Fusis.Daemon.Tests;

/// <summary>The balancer on a real Kestrel on loopback, over an in-memory kernel and a store in a temporary folder.</summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-api-");
    private readonly WebApplication _app;

    private ApiHost(string[] extraArgs)
    {
        StatePath = Path.Combine(_folder.FullName, "state.json");
        SocketPath = Path.Combine(_folder.FullName, "run", "fusis.sock");
        _app = BalancerHost.Build(
            ["--listen", "127.0.0.1:0", "--state", StatePath, "--local-socket", SocketPath, "--reconcile-interval", "01:00:00", "--max-body-bytes", "4096", .. extraArgs],
            () => Kernel);
    }

    public MemoryIpvsKernel Kernel { get; } = new();

    public string StatePath { get; }

    /// <summary>The daemon's local endpoint (root only, no token).</summary>
    public string SocketPath { get; }

    public string Folder => _folder.FullName;

    public DesiredState Saved => FileDesiredStateStore.Read(StatePath);

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The running host's services (its endpoints, its engine).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<ApiHost> StartAsync(params string[] extraArgs)
    {
        var host = new ApiHost(extraArgs);
        await host._app.StartAsync();
        host.Client = new HttpClient { BaseAddress = new Uri(host._app.Urls.Single(u => !u.StartsWith("http://unix:", StringComparison.Ordinal))), Timeout = TimeSpan.FromSeconds(30) };
        return host;
    }

    /// <summary>A token file in this host's folder, for --token-file.</summary>
    public static string WriteToken(string folder, string token)
    {
        string path = Path.Combine(folder, "token");
        File.WriteAllText(path, token + "\n");
        return path;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _folder.Delete(recursive: true);
    }
}
