using System.Text.Json.Serialization;

namespace Fusis.Core.State;

/// <summary>
/// The writers of <see cref="StateJsonContext"/>'s documents, generated to write only: straight Utf8JsonWriter calls,
/// without the per-property metadata whose generic types a fresh process JIT-compiles on its first save (about 300
/// methods; a third of a cmdlet's first import under emulation). The same options; reading stays with StateJsonContext.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(StateDocument))]
[JsonSerializable(typeof(JournalRecord))]
[JsonSerializable(typeof(ServiceDocument))]
[JsonSerializable(typeof(ClusterSettingsDocument))]
internal sealed partial class StateWriterJsonContext : JsonSerializerContext;
