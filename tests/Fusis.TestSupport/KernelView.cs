using Fusis.Netlink.Ipvs;

namespace Fusis.TestSupport;

/// <summary>A kernel handed to code that disposes what it opens (cmdlets, `fusis dsc`), while the test's kernel lives on.</summary>
public sealed class KernelView(IIpvsKernel kernel) : IIpvsKernel
{
    public IpvsInfo GetInfo() => kernel.GetInfo();

    public IReadOnlyList<IpvsService> GetServices() => kernel.GetServices();

    public IpvsService? GetService(IpvsServiceKey key) => kernel.GetService(key);

    public IReadOnlyList<IpvsDestination> GetDestinations(IpvsServiceKey key) => kernel.GetDestinations(key);

    public IReadOnlyList<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations) => kernel.Apply(operations);

    public IpvsTimeouts GetTimeouts() => kernel.GetTimeouts();

    public void SetTimeouts(IpvsTimeouts timeouts) => kernel.SetTimeouts(timeouts);

    public void ZeroStatistics(IpvsServiceKey? key = null) => kernel.ZeroStatistics(key);

    public void Dispose()
    {
    }
}
