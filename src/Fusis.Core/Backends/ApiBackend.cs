using System.Net;
using System.Net.ServerSentEvents;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Fusis.Core.Api;
using Fusis.Core.Events;
using Fusis.Core.Model;
using Fusis.Core.Operations;

namespace Fusis.Core.Backends;

/// <summary>
/// A balancer daemon's API: a remote one over HTTP (with its bearer token), or this host's over its local socket
/// (root only, no token). Operations go to their routes; refusals come back as the same <see cref="FusisException"/>
/// the engine threw, classified by the error body's code.
/// </summary>
public sealed class ApiBackend : IFusisBackend
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, PropertyNamingPolicy = null };

    private readonly HttpClient _http;

    private ApiBackend(HttpClient http, string description)
    {
        _http = http;
        Description = description;
    }

    public string Description { get; }

    /// <summary>A balancer at <paramref name="balancer"/> (http:// or https://).</summary>
    public static ApiBackend Connect(Uri balancer, string? token)
    {
        ArgumentNullException.ThrowIfNull(balancer);
        var http = new HttpClient { BaseAddress = balancer, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new ApiBackend(http, $"the balancer at {balancer}");
    }

    /// <summary>This host's balancer daemon, over its local socket.</summary>
    public static ApiBackend ConnectLocal(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellation) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellation).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // A long import may take minutes under load; a daemon that hangs is cut off (and Ctrl+C stops waiting at once).
        var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = TimeSpan.FromMinutes(5) };
        return new ApiBackend(http, $"this host's balancer daemon (unix:{socketPath})");
    }

    public async Task<ChangeOutcome> ChangeAsync(FusisOperation operation, bool dryRun, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        string path = dryRun ? $"{operation.Path}{(operation.Path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}dryRun=true" : operation.Path;
        (HttpStatusCode status, string text) = await SendAsync(new HttpMethod(operation.Method), path, operation.Body, cancellation).ConfigureAwait(false);
        if (dryRun)
        {
            return new ChangeOutcome(true, Deserialize<DryRunResource>(text).Operations, false, null, null);
        }

        bool created = status == HttpStatusCode.Created;
        return operation.Result switch
        {
            _ when status == HttpStatusCode.NoContent || text.Length == 0 => new ChangeOutcome(false, [], created, null, null),
            OperationResult.Service => new ChangeOutcome(false, [], created, Deserialize<ServiceResource>(text), null),
            OperationResult.Destination => new ChangeOutcome(false, [], created, null, Deserialize<DestinationResource>(text)),
            _ => new ChangeOutcome(false, [], created, null, null),
        };
    }

    public async Task<IReadOnlyList<FusisService>> GetServicesAsync(CancellationToken cancellation) =>
        (await ReadServicesAsync(cancellation).ConfigureAwait(false)).Select(ApiModel.ToService).ToList();

    public async Task<IReadOnlyList<FusisDestination>> GetDestinationsAsync(FusisService service, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Name is null)
        {
            return [];
        }

        return (await ReadServiceAsync(service.Name, cancellation).ConfigureAwait(false)).Destinations.Select(ApiModel.ToDestination).ToList();
    }

    public async Task<FusisInfo> GetInfoAsync(CancellationToken cancellation)
    {
        (_, string text) = await SendAsync(HttpMethod.Get, "health", null, cancellation).ConfigureAwait(false);
        HealthResource health = Deserialize<HealthResource>(text);
        return new FusisInfo(health.IpvsVersion, health.ConnectionTableSize, health.Services + health.Unmanaged.Count);
    }

    public async Task<FusisCluster> GetClusterAsync(CancellationToken cancellation)
    {
        (_, string text) = await SendAsync(HttpMethod.Get, "cluster", null, cancellation).ConfigureAwait(false);
        return Deserialize<FusisCluster>(text);
    }

    public async Task<FusisCluster> SetDrainingAsync(bool draining, CancellationToken cancellation)
    {
        (_, string text) = await SendAsync(draining ? HttpMethod.Post : HttpMethod.Delete, "cluster/drain", null, cancellation).ConfigureAwait(false);
        return Deserialize<FusisCluster>(text);
    }

    public async IAsyncEnumerable<FusisEvent> ReadEventsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var request = new HttpRequestMessage(HttpMethod.Get, query.Path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using HttpResponseMessage response = await Reach(() => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation), cancellation).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Refusal(response.StatusCode, await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false));
        }

        Stream stream = await Reach(() => response.Content.ReadAsStreamAsync(cancellation), cancellation).ConfigureAwait(false);
        IAsyncEnumerator<SseItem<string>> items = SseParser.Create(stream).EnumerateAsync(cancellation).GetAsyncEnumerator(cancellation);
        await using (items.ConfigureAwait(false))
        {
            while (await Reach(async () => await items.MoveNextAsync().ConfigureAwait(false), cancellation).ConfigureAwait(false))
            {
                SseItem<string> item = items.Current;
                switch (item.EventType)
                {
                    case EventStream.CaughtUp when !query.Follow:
                        yield break;
                    case EventStream.CaughtUp or EventStream.KeepAlive:
                        break;
                    case EventStream.Missed:
                        query.Missed?.Invoke($"events were missed: {Description} no longer holds all the events after {query.After} ({item.Data})");
                        break;
                    default:
                        yield return Deserialize<FusisEvent>(item.Data);
                        break;
                }
            }
        }
    }

    /// <summary>The services the balancer owns, as its API shows them.</summary>
    public async Task<IReadOnlyList<ServiceResource>> ReadServicesAsync(CancellationToken cancellation)
    {
        (_, string text) = await SendAsync(HttpMethod.Get, "services", null, cancellation).ConfigureAwait(false);
        return Deserialize<List<ServiceResource>>(text);
    }

    /// <summary>One service the balancer owns, as its API shows it.</summary>
    public async Task<ServiceResource> ReadServiceAsync(string name, CancellationToken cancellation)
    {
        (_, string text) = await SendAsync(HttpMethod.Get, $"services/{Uri.EscapeDataString(name)}", null, cancellation).ConfigureAwait(false);
        return Deserialize<ServiceResource>(text);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<(HttpStatusCode Status, string Text)> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body is byte[] json ? new ByteArrayContent(json) : new StringContent(JsonSerializer.Serialize(body, body.GetType(), Json), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        return await Reach(async () =>
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellation).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? (response.StatusCode, text) : throw Refusal(response.StatusCode, text);
        }, cancellation).ConfigureAwait(false);
    }

    // A balancer that cannot be reached (or stops answering) as Fusis's refusal; Ctrl+C stays a cancellation.
    private async Task<T> Reach<T>(Func<Task<T>> call, CancellationToken cancellation)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException || (e is TaskCanceledException && !cancellation.IsCancellationRequested))
        {
            throw new FusisException(FusisErrorCode.BalancerUnreachable, $"{Description} cannot be reached: {e.Message}; nothing was changed", null, e);
        }
    }

    // The error body's code classifies the refusal; a body without one (a proxy, an older balancer) falls back to the status.
    private FusisException Refusal(HttpStatusCode status, string text)
    {
        ErrorResource? error = null;
        try
        {
            error = JsonSerializer.Deserialize<ErrorResource>(text, Json);
        }
        catch (JsonException)
        {
            // not our error body
        }

        FusisErrorCode code = error?.Code is { } name && Enum.TryParse(name, out FusisErrorCode parsed) ? parsed : status switch
        {
            HttpStatusCode.NotFound => FusisErrorCode.ServiceNotFound,
            HttpStatusCode.Conflict => FusisErrorCode.ServiceExists,
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge => FusisErrorCode.InvalidArgument,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => FusisErrorCode.PermissionDenied,
            HttpStatusCode.ServiceUnavailable => FusisErrorCode.IpvsUnavailable,
            _ => FusisErrorCode.BalancerError,
        };
        string message = error?.Error ?? (text.Length > 0 ? text : status.ToString());
        return new FusisException(code, $"{Description} answered {(int)status}: {message}", error?.Errors);
    }

    private static T Deserialize<T>(string text)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new FusisException(FusisErrorCode.BalancerError, $"the balancer's answer is not what Fusis expects: {e.Message}", null, e);
        }
    }
}
