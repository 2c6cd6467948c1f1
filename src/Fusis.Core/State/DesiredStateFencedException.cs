namespace Fusis.Core.State;

/// <summary>A change only the leader may make (a membership or health decision) came from a balancer that is no longer the leader; nothing was written.</summary>
public sealed class DesiredStateFencedException : DesiredStateException
{
    public DesiredStateFencedException()
    {
    }

    public DesiredStateFencedException(string message)
        : base(message)
    {
    }

    public DesiredStateFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
