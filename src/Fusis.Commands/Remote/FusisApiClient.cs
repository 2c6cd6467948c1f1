using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fusis.Core.Api;

namespace Fusis.Commands.Remote;

/// <summary>The cmdlets' remote mode: the balancer daemon's HTTP API, with its bearer token when one is given.</summary>
internal sealed class FusisApiClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, PropertyNamingPolicy = null };

    private readonly HttpClient _http;

    public FusisApiClient(Uri balancer, string? token)
    {
        Balancer = balancer;
        _http = new HttpClient { BaseAddress = balancer, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Balancer { get; }

    public IReadOnlyList<ServiceResource> GetServices() => Send<List<ServiceResource>>(HttpMethod.Get, "services", null)!;

    public ServiceResource GetService(string name) => Send<ServiceResource>(HttpMethod.Get, $"services/{Escape(name)}", null)!;

    public HealthResource GetHealth() => Send<HealthResource>(HttpMethod.Get, "health", null)!;

    /// <summary>The kernel operations a write would make (?dryRun=true); nothing changes.</summary>
    public IReadOnlyList<string> Plan(HttpMethod method, string path, object? body) =>
        Send<DryRunResource>(method, $"{path}?dryRun=true", body)!.Operations;

    /// <summary>Sends a request; the body of a 2xx answer (null for 204); a <see cref="FusisApiException"/> otherwise.</summary>
    /// <exception cref="FusisApiException">The balancer refused the request, or cannot be reached.</exception>
    public T? Send<T>(HttpMethod method, string path, object? body)
        where T : class
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), Json), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = _http.Send(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new FusisApiException(default, $"the balancer at {Balancer} cannot be reached: {e.Message}");
        }

        using (response)
        {
            string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw new FusisApiException(response.StatusCode, $"the balancer at {Balancer} answered {(int)response.StatusCode}: {ErrorText(text)}");
            }

            return response.StatusCode == HttpStatusCode.NoContent || text.Length == 0 ? null : JsonSerializer.Deserialize<T>(text, Json);
        }
    }

    public static string Escape(string segment) => Uri.EscapeDataString(segment);

    public void Dispose() => _http.Dispose();

    // {"error": "...", "errors": {"Field": ["..."]}} as one line.
    private static string ErrorText(string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            string message = document.RootElement.TryGetProperty("error", out JsonElement error) ? error.GetString() ?? body : body;
            if (document.RootElement.TryGetProperty("errors", out JsonElement fields))
            {
                message += ": " + string.Join("; ", fields.EnumerateObject().Select(f => $"{f.Name}: {string.Join(", ", f.Value.EnumerateArray().Select(v => v.GetString()))}"));
            }

            return message;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
