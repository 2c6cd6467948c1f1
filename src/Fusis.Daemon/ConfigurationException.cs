namespace Fusis.Daemon;

/// <summary>A command line or configuration that cannot be used; the command does not start (exit code 78, EX_CONFIG).</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
