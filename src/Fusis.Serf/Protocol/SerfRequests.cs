namespace Fusis.Serf.Protocol;

/// <summary>
/// The body of every request, with the agent's exact key names in the order its own CLI sends them
/// (checked byte-for-byte against captured requests).
/// </summary>
internal static class SerfRequests
{
    public static (string, object?)[] Handshake() => [("Version", 1)];

    public static (string, object?)[] Auth(string key) => [("AuthKey", key)];

    public static (string, object?)[] MembersFiltered(IReadOnlyDictionary<string, string>? tags, string? status, string? name) =>
        [("Tags", tags ?? new Dictionary<string, string>()), ("Status", status ?? string.Empty), ("Name", name ?? string.Empty)];

    public static (string, object?)[] Join(IReadOnlyList<string> addresses, bool replay) => [("Existing", addresses), ("Replay", replay)];

    public static (string, object?)[] ForceLeave(string node, bool prune) => [("Node", node), ("Prune", prune)];

    public static (string, object?)[] Tags(IReadOnlyDictionary<string, string> tags, IReadOnlyList<string>? delete) =>
        [("Tags", tags), ("DeleteTags", delete ?? [])];

    public static (string, object?)[] Event(string name, ReadOnlyMemory<byte> payload, bool coalesce) =>
        [("Name", name), ("Payload", payload), ("Coalesce", coalesce)];

    public static (string, object?)[] Stream(string filter) => [("Type", filter)];

    public static (string, object?)[] Monitor(string logLevel) => [("LogLevel", logLevel)];

    public static (string, object?)[] Stop(ulong seq) => [("Stop", seq)];

    public static (string, object?)[] Respond(ulong id, ReadOnlyMemory<byte> payload) => [("ID", id), ("Payload", payload)];

    public static (string, object?)[] Key(string key) => [("Key", key)];

    public static (string, object?)[] GetCoordinate(string node) => [("Node", node)];

    /// <summary>Timeout travels as nanoseconds (a Go time.Duration).</summary>
    public static (string, object?)[] Query(string name, ReadOnlyMemory<byte> payload, SerfQueryOptions options) =>
    [
        ("FilterNodes", options.FilterNodes), ("FilterTags", options.FilterTags), ("RequestAck", options.RequestAck),
        ("RelayFactor", options.RelayFactor), ("Timeout", checked(options.Timeout.Ticks * 100)), ("Name", name), ("Payload", payload),
    ];
}
