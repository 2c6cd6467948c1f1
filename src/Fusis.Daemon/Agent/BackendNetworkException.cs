namespace Fusis.Daemon.Agent;

/// <summary>This backend cannot be prepared for a forwarding method (a kernel module or device is missing).</summary>
public sealed class BackendNetworkException : Exception
{
    public BackendNetworkException()
    {
    }

    public BackendNetworkException(string message)
        : base(message)
    {
    }

    public BackendNetworkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
