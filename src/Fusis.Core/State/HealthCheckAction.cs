namespace Fusis.Core.State;

/// <summary>What happens to a destination whose check fails.</summary>
public enum HealthCheckAction
{
    /// <summary>Taken out of the kernel; put back when it recovers.</summary>
    Remove,

    /// <summary>Weight 0: no new connections, existing ones continue.</summary>
    Weight0,
}
