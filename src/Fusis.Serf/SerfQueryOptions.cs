namespace Fusis.Serf;

/// <summary>Parameters of a query this client issues.</summary>
public sealed record SerfQueryOptions
{
    /// <summary>Only these nodes answer (none: all).</summary>
    public IReadOnlyList<string> FilterNodes { get; init; } = [];

    /// <summary>Only nodes whose tags match these regular expressions (unanchored) answer.</summary>
    public IReadOnlyDictionary<string, string> FilterTags { get; init; } = new Dictionary<string, string>();

    public bool RequestAck { get; init; }

    public byte RelayFactor { get; init; }

    /// <summary>Zero means the agent's default (3.2 s on a small LAN cluster).</summary>
    public TimeSpan Timeout { get; init; }
}
