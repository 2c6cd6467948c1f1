using System.Text.Json;

namespace Fusis.Daemon.Api;

/// <summary>The API's JSON: PascalCase out (the original Fusis shapes), any case in.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = null,
        PropertyNameCaseInsensitive = true,
        WriteIndented = false,
    };
}
