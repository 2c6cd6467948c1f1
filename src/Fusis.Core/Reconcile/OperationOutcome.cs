using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>How an applied operation's outcome counts toward the desired state.</summary>
public static class OperationOutcome
{
    /// <summary>A delete of something the kernel no longer has: the desired state is reached all the same.</summary>
    public static bool AlreadyGone(IpvsOperationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return (result.Operation.Kind, result.Error?.Errno) is
            (IpvsOperationKind.DeleteDestination, Errno.ENOENT or Errno.ESRCH) or (IpvsOperationKind.DeleteService, Errno.ESRCH);
    }

    /// <summary>Failed for a reason other than <see cref="AlreadyGone"/>.</summary>
    public static bool Refused(IpvsOperationResult result) => result is { Succeeded: false } && !AlreadyGone(result);
}
