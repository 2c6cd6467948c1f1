using Fusis.Daemon.Balancer;
using System.Text.Json;

namespace Fusis.Daemon.Settings;

/// <summary>
/// The balancer's configuration file: one JSON object of settings by key (case ignored; // comments and trailing
/// commas allowed, as in the documented example). Strict: malformed JSON is refused with its line and column, an
/// unknown or repeated key with its line, a value of the wrong kind with what the key accepts.
/// </summary>
internal static class ConfigurationFile
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <exception cref="ConfigurationException">The file cannot be read or used.</exception>
    public static void Apply(BalancerOptions options, string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read the configuration file {path}: {e.Message}", e);
        }

        try
        {
            Apply(options, path, bytes);
        }
        catch (JsonException e)
        {
            throw new ConfigurationException(
                $"the configuration file {path} is not valid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {e.Message}", e);
        }
    }

    private static void Apply(BalancerOptions options, string path, byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ConfigurationException($"the configuration file {path} is not a JSON object of settings (for example {{\"Listen\": \"127.0.0.1:8000\"}})");
        }

        var seen = new HashSet<Setting>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            string where = $"{path} line {Line(bytes, reader.TokenStartIndex)}";
            Setting setting = BalancerSettings.All.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new ConfigurationException(
                    $"unknown setting '{key}' in {where}{Suggestion.DidYouMean(key, BalancerSettings.All.Select(s => s.Key))}; the settings are " +
                    string.Join(", ", BalancerSettings.All.Select(s => s.Key)));
            if (!seen.Add(setting))
            {
                throw new ConfigurationException($"{setting.Key} is given twice in {path} (again at line {Line(bytes, reader.TokenStartIndex)})");
            }

            reader.Read();
            using JsonDocument value = JsonDocument.ParseValue(ref reader);
            JsonElement element = value.RootElement;
            string? text = (element.ValueKind, setting.Json) switch
            {
                (JsonValueKind.String, JsonValueKind.String) => element.GetString(),
                (JsonValueKind.Number, JsonValueKind.Number) => element.GetRawText(),
                (JsonValueKind.True or JsonValueKind.False, JsonValueKind.True) => element.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                string kind = setting.Json switch
                {
                    JsonValueKind.Number => "a number",
                    JsonValueKind.True => "true or false",
                    _ => "a string",
                };
                throw new ConfigurationException($"{setting.Key} ({where}): {element.GetRawText()} is not {kind}; it is {setting.Accepted}");
            }

            setting.Apply(options, text, where);
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new ConfigurationException($"the configuration file {path} has something after its object of settings");
        }
    }

    private static int Line(byte[] bytes, long index) => bytes.AsSpan(0, (int)index).Count((byte)'\n') + 1;
}
