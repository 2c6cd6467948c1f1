namespace Fusis.Serf;

/// <summary>The agent sent something that is not the Serf RPC protocol (malformed msgpack, unknown sequence number).</summary>
public sealed class SerfProtocolException : SerfException
{
    public SerfProtocolException()
    {
    }

    public SerfProtocolException(string message)
        : base(message)
    {
    }

    public SerfProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
