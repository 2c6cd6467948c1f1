namespace Fusis.Serf;

/// <summary>Base of every failure the Serf client reports.</summary>
public class SerfException : Exception
{
    public SerfException()
    {
    }

    public SerfException(string message)
        : base(message)
    {
    }

    public SerfException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
