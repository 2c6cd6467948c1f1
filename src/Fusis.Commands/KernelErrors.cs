using System.Management.Automation;
using Fusis.Core;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>Turns kernel errors into ErrorRecords: Core's classification (errno and operation) decides the id and category.</summary>
internal static class KernelErrors
{
    public static ErrorRecord ToErrorRecord(NetlinkException exception, object? target, IpvsOperationKind? operation = null)
    {
        FusisErrorCode code = KernelRefusal.Code(exception, operation);
        return new ErrorRecord(exception, code.ToString(), FusisErrors.Category(code), target);
    }
}
