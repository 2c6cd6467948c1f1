using System.Text.Json.Serialization;

namespace Fusis.Core.State;

/// <summary>
/// The serializers of the state file, its journal and the shared state's keys, generated at build time: no reflection at run time, so the first
/// save of a fresh process (a cmdlet's pipeline) costs what the later ones do. Zeros and nulls are left out.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(StateDocument))]
[JsonSerializable(typeof(JournalRecord))]
[JsonSerializable(typeof(ServiceDocument))]
[JsonSerializable(typeof(ClusterSettingsDocument))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
