namespace Fusis.Etcd;

/// <summary>Base of every failure the etcd client reports.</summary>
public class EtcdException : Exception
{
    public EtcdException()
    {
    }

    public EtcdException(string message)
        : base(message)
    {
    }

    public EtcdException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
