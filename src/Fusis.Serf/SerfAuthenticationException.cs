namespace Fusis.Serf;

/// <summary>The agent refused the RPC token. A configuration error: retrying with the same token cannot help.</summary>
public sealed class SerfAuthenticationException : SerfException
{
    public SerfAuthenticationException()
    {
    }

    public SerfAuthenticationException(string message)
        : base(message)
    {
    }

    public SerfAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
