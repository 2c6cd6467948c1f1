namespace Fusis.Daemon.Balancer;

/// <summary>The balancer's configuration cannot be used; it does not start (exit code 78, EX_CONFIG).</summary>
public sealed class BalancerConfigurationException : Exception
{
    public BalancerConfigurationException()
    {
    }

    public BalancerConfigurationException(string message)
        : base(message)
    {
    }

    public BalancerConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
