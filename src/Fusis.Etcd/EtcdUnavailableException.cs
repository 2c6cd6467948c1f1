namespace Fusis.Etcd;

/// <summary>No endpoint answered in time, or the connection to it was lost: the request may or may not have been applied.</summary>
public sealed class EtcdUnavailableException : EtcdException
{
    public EtcdUnavailableException()
    {
    }

    public EtcdUnavailableException(string message)
        : base(message)
    {
    }

    public EtcdUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
