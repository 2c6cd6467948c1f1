namespace Fusis.Netlink.Ipvs;

/// <summary>
/// The IPVS table operations the rest of Fusis uses. <see cref="IpvsClient"/> is the kernel; tests use an
/// in-memory double whose behaviour a contract suite checks against the real kernel in the lab.
/// </summary>
public interface IIpvsKernel : IDisposable
{
    IpvsInfo GetInfo();

    IReadOnlyList<IpvsService> GetServices();

    /// <summary>One service, or null when it does not exist.</summary>
    IpvsService? GetService(IpvsServiceKey key);

    /// <summary>A service's destinations; empty when the service does not exist (the kernel's answer too).</summary>
    IReadOnlyList<IpvsDestination> GetDestinations(IpvsServiceKey key);

    /// <summary>Runs the operations in order; each gets its own outcome, with the kernel's errno on failure.</summary>
    IReadOnlyList<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations);

    /// <summary>The connection timeouts of this network namespace.</summary>
    IpvsTimeouts GetTimeouts();

    /// <summary>Sets the timeouts; a 0 leaves that one unchanged.</summary>
    void SetTimeouts(IpvsTimeouts timeouts);

    /// <summary>Zeroes the counters of one service, or of all when <paramref name="key"/> is null.</summary>
    void ZeroStatistics(IpvsServiceKey? key = null);
}
