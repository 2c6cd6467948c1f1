namespace Fusis.Serf.Protocol;

/// <summary>{"Seq": uint64, "Error": str}: "" on success.</summary>
public readonly record struct SerfResponseHeader(ulong Seq, string Error)
{
    public bool IsError => Error.Length > 0;
}
