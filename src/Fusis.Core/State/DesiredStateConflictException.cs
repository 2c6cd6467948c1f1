namespace Fusis.Core.State;

/// <summary>
/// Another writer (another balancer of the cluster) changed the shared desired state since this one last read it;
/// nothing was written. The engine reads the state again and makes the change on top of it.
/// </summary>
public sealed class DesiredStateConflictException : DesiredStateException
{
    public DesiredStateConflictException()
    {
    }

    public DesiredStateConflictException(string message)
        : base(message)
    {
    }

    public DesiredStateConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
