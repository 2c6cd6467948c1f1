using System.Net;

namespace Fusis.Core.Operations;

/// <summary>What an operation may need from the balancer that runs it: the VIP range it allocates from (IPAM).</summary>
public sealed record OperationContext(IPNetwork? VipRange)
{
    public static OperationContext None { get; } = new((IPNetwork?)null);
}
