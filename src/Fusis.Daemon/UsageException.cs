namespace Fusis.Daemon;

/// <summary>A command line the parser cannot read (an unknown flag, a missing value); exit code 64, EX_USAGE.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
