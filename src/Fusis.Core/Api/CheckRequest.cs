using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fusis.Core.Api;

/// <summary>
/// A health check as clients send it: the original Fusis CheckSpec (Type tcp|http, HttpPath, Interval and Timeout
/// as numbers of seconds, as the original read them) and Fusis's own fields. Durations may also be strings: "500ms",
/// "2s", "1m", "00:00:02".
/// </summary>
public sealed class CheckRequest
{
    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Type { get; set; }

    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? HttpPath { get; set; }

    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Path { get; set; }

    /// <summary>"200-399", or one status.</summary>
    public string? ExpectedStatus { get; set; }

    public int? Port { get; set; }

    public JsonElement? Interval { get; set; }

    public JsonElement? Timeout { get; set; }

    public int? Rise { get; set; }

    public int? Fall { get; set; }

    /// <summary>remove (default) or weight0.</summary>
    public string? Action { get; set; }

    /// <summary>Sent by original Fusis clients; the route's service name wins.</summary>
    public string? ServiceID { get; set; }
}
