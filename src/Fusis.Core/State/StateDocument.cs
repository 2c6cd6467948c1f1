namespace Fusis.Core.State;

/// <summary>
/// The JSON file: a kind marker (to refuse foreign files), a version, owned services and retired keys, and the
/// sequence of the last journal record it includes (version 3; the journal's later records follow it).
/// </summary>
internal sealed class StateDocument
{
    public const string ExpectedKind = "fusis-desired-state";
    public const int CurrentVersion = 3;

    public string? Kind { get; set; }

    public int Version { get; set; }

    public long Sequence { get; set; }

    public List<ServiceDocument> Services { get; set; } = [];

    public List<KeyDocument> Retired { get; set; } = [];

    /// <summary>The SNAT of NAT services that set none: off (absent) or masquerade.</summary>
    public string? DefaultSnat { get; set; }
}
