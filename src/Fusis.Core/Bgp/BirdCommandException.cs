namespace Fusis.Core.Bgp;

/// <summary>BIRD refused a command (a reply code 8xxx or 9xxx), or its control socket spoke no BIRD.</summary>
public sealed class BirdCommandException : Exception
{
    public BirdCommandException()
    {
    }

    public BirdCommandException(string message)
        : base(message)
    {
    }

    public BirdCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BirdCommandException(int code, string message)
        : base($"BIRD answered {code}: {message}") => Code = code;

    /// <summary>BIRD's reply code (0 when it gave none).</summary>
    public int Code { get; }
}
