namespace Fusis.Netlink.Ipvs;

/// <summary>The kernel has no IPVS generic netlink family: ip_vs is not loaded, or not built.</summary>
public sealed class IpvsUnavailableException : NetlinkException
{
    public IpvsUnavailableException()
        : base(Errno.ENOENT, IpvsErrors.ModuleNotLoaded, null)
    {
    }

    public IpvsUnavailableException(string message)
        : base(Errno.ENOENT, message, null)
    {
    }

    public IpvsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
