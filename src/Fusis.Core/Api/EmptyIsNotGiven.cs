using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fusis.Core.Api;

/// <summary>
/// An empty string read as "not given": the original Fusis's Go client sends every field, and "" is its zero value for
/// one its caller left out (an Address to allocate, the default Mode, no HttpPath). Only on the fields that client sends.
/// </summary>
public sealed class EmptyIsNotGiven : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null
        : reader.TokenType == JsonTokenType.String ? reader.GetString() is { Length: > 0 } text ? text : null
        : throw new JsonException($"expected a string, not {reader.TokenType}");

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
