using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;
using Fusis.TestSupport.Contracts;

namespace Fusis.Core.Tests;

/// <summary>The in-memory double answers the kernel contract as the real kernel does in the lab.</summary>
public sealed class MemoryIpvsKernelContractTests : IpvsKernelContract
{
    protected override IIpvsKernel Kernel { get; } = new MemoryIpvsKernel();
}
