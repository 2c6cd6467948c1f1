namespace Fusis.Core.State;

internal sealed class CheckDocument
{
    /// <summary>"tcp" | "http".</summary>
    public string? Type { get; set; }

    public string? Path { get; set; }

    public int StatusMin { get; set; }

    public int StatusMax { get; set; }

    public ushort Port { get; set; }

    public double IntervalSeconds { get; set; }

    public double TimeoutSeconds { get; set; }

    public int Rise { get; set; }

    public int Fall { get; set; }

    /// <summary>"remove" | "weight0".</summary>
    public string? Action { get; set; }
}
