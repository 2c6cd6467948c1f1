namespace Fusis.Serf;

/// <summary>The agent answered a command with an error; <see cref="AgentError"/> is its text, verbatim.</summary>
public sealed class SerfCommandException : SerfException
{
    public SerfCommandException()
    {
        Command = string.Empty;
        AgentError = string.Empty;
    }

    public SerfCommandException(string message)
        : base(message)
    {
        Command = string.Empty;
        AgentError = message;
    }

    public SerfCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
        Command = string.Empty;
        AgentError = message;
    }

    public SerfCommandException(string command, string agentError)
        : base($"serf {command} failed: {agentError.TrimEnd()}")
    {
        Command = command;
        AgentError = agentError;
    }

    public string Command { get; }

    public string AgentError { get; }
}
