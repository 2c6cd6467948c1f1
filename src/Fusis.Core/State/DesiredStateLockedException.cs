namespace Fusis.Core.State;

/// <summary>Another writer (this host's balancer daemon, or another pipeline) holds the desired state's lock.</summary>
public sealed class DesiredStateLockedException : DesiredStateException
{
    public DesiredStateLockedException()
    {
    }

    public DesiredStateLockedException(string message)
        : base(message)
    {
    }

    public DesiredStateLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DesiredStateLockedException(string path, string message, Exception innerException)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The desired-state file whose lock is held.</summary>
    public string? Path { get; }
}
