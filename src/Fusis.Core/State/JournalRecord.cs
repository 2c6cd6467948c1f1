namespace Fusis.Core.State;

/// <summary>
/// One line of the journal beside the state file: the change that follows <see cref="Sequence"/> - 1. Services are
/// written whole, so a record replays on the state it follows without reading anything else.
/// </summary>
internal sealed class JournalRecord
{
    public long Sequence { get; set; }

    public List<KeyDocument> Removed { get; set; } = [];

    public List<PlacedServiceDocument> Put { get; set; } = [];

    /// <summary>The retired keys after the change; absent when they did not change.</summary>
    public List<KeyDocument>? Retired { get; set; }

    /// <summary>The default SNAT after the change; absent when it did not change.</summary>
    public string? DefaultSnat { get; set; }
}
