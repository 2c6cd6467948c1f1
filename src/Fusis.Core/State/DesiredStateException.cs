namespace Fusis.Core.State;

/// <summary>The desired state could not be read or would not be valid; nothing was changed.</summary>
public class DesiredStateException : Exception
{
    public DesiredStateException()
    {
    }

    public DesiredStateException(string message)
        : base(message)
    {
    }

    public DesiredStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DesiredStateException(string message, IReadOnlyList<string> problems)
        : base(problems.Count == 0 ? message : $"{message}: {string.Join("; ", problems)}")
    {
        Problems = problems;
    }

    /// <summary>Each problem found, when the state itself is invalid.</summary>
    public IReadOnlyList<string> Problems { get; } = [];
}
