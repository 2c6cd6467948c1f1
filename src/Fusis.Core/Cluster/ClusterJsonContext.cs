using System.Text.Json.Serialization;

namespace Fusis.Core.Cluster;

/// <summary>The serializers of the election's etcd values.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterFailoverDocument))]
[JsonSerializable(typeof(ClusterNodeDocument))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
