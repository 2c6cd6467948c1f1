using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Fusis.Lab.Tests;

/// <summary>Requests to a lab balancer's API (beyond loopback every route, reads too, needs the token).</summary>
internal static class LabApi
{
    /// <summary>A client that sends the token.</summary>
    public static HttpClient Client(string token, TimeSpan timeout)
    {
        var http = new HttpClient { Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>GET /cluster of the balancer at <paramref name="api"/>; null when it does not answer.</summary>
    public static JsonElement? Cluster(string api, string token, TimeSpan timeout)
    {
        try
        {
            using HttpClient http = Client(token, timeout);
            return http.GetFromJsonAsync<JsonElement>(new Uri($"{api}/cluster")).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A request with an optional JSON body; the status and body.</summary>
    public static (HttpStatusCode Status, string Body) Send(string api, string token, HttpMethod method, string path, string? json)
    {
        using HttpClient http = Client(token, TimeSpan.FromSeconds(120));
        using var request = new HttpRequestMessage(method, new Uri($"{api}{path}"));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = http.SendAsync(request).GetAwaiter().GetResult();
        return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }
}
