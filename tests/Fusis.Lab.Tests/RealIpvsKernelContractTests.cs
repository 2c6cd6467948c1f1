using Fusis.Netlink.Ipvs;
using Fusis.TestSupport.Contracts;

namespace Fusis.Lab.Tests;

/// <summary>The kernel contract against the real kernel, each test in a namespace of its own.</summary>
public sealed class RealIpvsKernelContractTests : IpvsKernelContract, IDisposable
{
    private readonly LabNamespace _namespace = new();
    private readonly IpvsClient _kernel;

    public RealIpvsKernelContractTests()
    {
        _kernel = _namespace.OpenIpvs();
    }

    protected override IIpvsKernel Kernel => _kernel;

    public void Dispose()
    {
        _kernel.Dispose();
        _namespace.Dispose();
    }
}
