namespace Fusis.Core.State;

/// <summary>The shared desired state (etcd) cannot be reached: the change was not made, or its outcome is unknown and it will be read back.</summary>
public sealed class DesiredStateUnavailableException : DesiredStateException
{
    public DesiredStateUnavailableException()
    {
    }

    public DesiredStateUnavailableException(string message)
        : base(message)
    {
    }

    public DesiredStateUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
