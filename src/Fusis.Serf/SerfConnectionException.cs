namespace Fusis.Serf;

/// <summary>The agent could not be reached, or the connection to it was lost.</summary>
public sealed class SerfConnectionException : SerfException
{
    public SerfConnectionException()
    {
    }

    public SerfConnectionException(string message)
        : base(message)
    {
    }

    public SerfConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
