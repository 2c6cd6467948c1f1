namespace Fusis.Core.State;

/// <summary>A service a journal record puts, with its place in the list (so a replay keeps the order).</summary>
internal sealed class PlacedServiceDocument
{
    public int Index { get; set; }

    public ServiceDocument? Service { get; set; }
}
