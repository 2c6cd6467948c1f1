using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core;

/// <summary>Classifies kernel errors by errno and operation (never by their text) into Fusis's error codes.</summary>
public static class KernelRefusal
{
    public static FusisErrorCode Code(NetlinkException exception, IpvsOperationKind? operation = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return (exception, exception.Errno, operation) switch
        {
            (IpvsUnavailableException, _, _) => FusisErrorCode.IpvsUnavailable,
            (_, Errno.EPERM or Errno.EACCES, _) => FusisErrorCode.PermissionDenied,
            (_, Errno.ESRCH, _) => FusisErrorCode.ServiceNotFound,
            (_, Errno.ENOENT, IpvsOperationKind.UpdateDestination or IpvsOperationKind.DeleteDestination) => FusisErrorCode.DestinationNotFound,
            (_, Errno.EEXIST, IpvsOperationKind.AddDestination) => FusisErrorCode.DestinationExists,
            (_, Errno.EEXIST, _) => FusisErrorCode.ServiceExists,
            (_, Errno.EINVAL or Errno.ERANGE or Errno.ENOENT, _) => FusisErrorCode.InvalidArgument,
            _ => FusisErrorCode.KernelError,
        };
    }

    /// <summary>A change the kernel refused (and that was undone), as a <see cref="FusisException"/> keeping the kernel's error.</summary>
    public static FusisException Refused(IpvsOperationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        NetlinkException error = result.Error ?? throw new ArgumentException("the operation succeeded", nameof(result));
        return new FusisException(Code(error, result.Operation.Kind), $"the kernel refused the change, which was undone: {error.Message}", Fields(error, result.Operation), error);
    }

    // The field a refusal is about, where the errno and the operation tell (the kernel never says which attribute):
    // a service the kernel answers ENOENT has a scheduler it has no module for.
    private static Dictionary<string, string[]>? Fields(NetlinkException error, IpvsOperation operation) => (error.Errno, operation.Kind, operation.Service) switch
    {
        (Errno.ENOENT, IpvsOperationKind.AddService or IpvsOperationKind.UpdateService, { PersistenceEngine: null } service) =>
            new() { [nameof(Api.ServiceRequest.Scheduler)] = [$"the kernel has no scheduler '{service.Scheduler}' (no module ip_vs_{service.Scheduler})"] },
        _ => null,
    };
}
