namespace Fusis.Core;

/// <summary>
/// What went wrong, as every front end classifies it: the cmdlets' error id (the first half of the
/// FullyQualifiedErrorId), the API's status code and its error body's "code", `fusis dsc`'s exit code. Never renamed.
/// </summary>
public enum FusisErrorCode
{
    /// <summary>Bad input: refused before anything was written.</summary>
    InvalidArgument,

    ServiceNotFound,

    DestinationNotFound,

    ServiceExists,

    DestinationExists,

    /// <summary>The service exists in the kernel but Fusis does not own it, so Fusis will not change it.</summary>
    ServiceNotManaged,

    /// <summary>The desired state cannot be used (unreadable, foreign, from a newer Fusis, invalid, or held by another process).</summary>
    DesiredStateInvalid,

    /// <summary>The kernel has no IPVS (module not loaded, or not built).</summary>
    IpvsUnavailable,

    /// <summary>Not root, no CAP_NET_ADMIN, or a balancer that wants a token.</summary>
    PermissionDenied,

    /// <summary>Any other kernel refusal; the message carries the errno.</summary>
    KernelError,

    /// <summary>The balancer (remote, or this host's daemon) does not answer.</summary>
    BalancerUnreachable,

    /// <summary>The API has no such route, or the route does not take the method (405).</summary>
    UnknownRoute,

    /// <summary>A balancer failed in a way no other code describes.</summary>
    BalancerError,

    /// <summary>SNAT needs nftables: nft is not installed, or the kernel has no nf_tables (or refused the rules).</summary>
    NatUnavailable,

    /// <summary>A cluster's shared desired state (etcd) cannot be reached: the change was not made.</summary>
    DesiredStateUnavailable,
}
