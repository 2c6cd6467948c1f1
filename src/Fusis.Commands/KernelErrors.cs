using System.Management.Automation;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>Turns kernel errors into ErrorRecords: errno decides the category and the stable error id.</summary>
internal static class KernelErrors
{
    public static ErrorRecord ToErrorRecord(NetlinkException exception, object? target, IpvsOperationKind? operation = null)
    {
        (string id, ErrorCategory category) = (exception.Errno, operation) switch
        {
            (Errno.EPERM or Errno.EACCES, _) => (ErrorIds.PermissionDenied, ErrorCategory.PermissionDenied),
            (Errno.ENOENT, null) when exception.Message.Contains("modprobe ip_vs", StringComparison.Ordinal) =>
                (ErrorIds.IpvsUnavailable, ErrorCategory.ResourceUnavailable),
            (Errno.ESRCH, _) => (ErrorIds.ServiceNotFound, ErrorCategory.ObjectNotFound),
            (Errno.ENOENT, IpvsOperationKind.UpdateDestination or IpvsOperationKind.DeleteDestination) =>
                (ErrorIds.DestinationNotFound, ErrorCategory.ObjectNotFound),
            (Errno.EEXIST, IpvsOperationKind.AddDestination) => (ErrorIds.DestinationExists, ErrorCategory.ResourceExists),
            (Errno.EEXIST, _) => (ErrorIds.ServiceExists, ErrorCategory.ResourceExists),
            (Errno.EINVAL or Errno.ERANGE or Errno.ENOENT, _) => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
            (Errno.ETIMEDOUT, _) => (ErrorIds.KernelError, ErrorCategory.OperationTimeout),
            _ => (ErrorIds.KernelError, ErrorCategory.NotSpecified),
        };
        return new ErrorRecord(exception, id, category, target);
    }
}
