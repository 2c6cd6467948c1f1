namespace Fusis.Serf;

/// <summary>The answer to a key-ring command, gathered from every node. <see cref="Keys"/> is set by list-keys only.</summary>
public sealed record SerfKeyResponse(
    IReadOnlyDictionary<string, int> Keys,
    IReadOnlyDictionary<string, string> Messages,
    int NodesWithErrors,
    int Nodes,
    int Responses);
