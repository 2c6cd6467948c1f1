namespace Fusis.Commands;

/// <summary>Stable error ids: the first half of every FullyQualifiedErrorId the module writes. Never renamed.</summary>
public static class ErrorIds
{
    /// <summary>The kernel has no IPVS (module not loaded, or not built).</summary>
    public const string IpvsUnavailable = nameof(IpvsUnavailable);

    /// <summary>Not root, no CAP_NET_ADMIN.</summary>
    public const string PermissionDenied = nameof(PermissionDenied);

    public const string ServiceNotFound = nameof(ServiceNotFound);

    public const string DestinationNotFound = nameof(DestinationNotFound);

    public const string ServiceExists = nameof(ServiceExists);

    public const string DestinationExists = nameof(DestinationExists);

    public const string InvalidArgument = nameof(InvalidArgument);

    /// <summary>The service exists in the kernel but Fusis does not own it, so Fusis will not change it.</summary>
    public const string ServiceNotManaged = nameof(ServiceNotManaged);

    /// <summary>The desired-state file is unreadable, not Fusis's, from a newer Fusis, or invalid; it was left untouched.</summary>
    public const string DesiredStateInvalid = nameof(DesiredStateInvalid);

    /// <summary>An imported configuration cannot be read (not the format given, or invalid values); nothing was changed.</summary>
    public const string ConfigurationInvalid = nameof(ConfigurationInvalid);

    /// <summary>Export refused to replace a file (-NoClobber).</summary>
    public const string FileExists = nameof(FileExists);

    public const string FileWriteFailed = nameof(FileWriteFailed);

    public const string FileReadFailed = nameof(FileReadFailed);

    /// <summary>Remote mode: the balancer's API does not answer.</summary>
    public const string BalancerUnreachable = nameof(BalancerUnreachable);

    /// <summary>A balancer's API failed in a way no other id describes (remote mode).</summary>
    public const string BalancerError = nameof(BalancerError);

    /// <summary>Any other kernel error; the message carries the errno.</summary>
    public const string KernelError = nameof(KernelError);
}
