using System.Management.Automation;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>
/// What every Fusis cmdlet shares: the kernel, opened on first use and closed when the pipeline ends, and
/// kernel errors turned into ErrorRecords with stable ids and the right category.
/// </summary>
public abstract class FusisCmdletBase : PSCmdlet, IDisposable
{
    private IIpvsKernel? _kernel;

    /// <summary>The local kernel's IPVS table; an unusable environment (no IPVS, not root) ends the command.</summary>
    protected IIpvsKernel Kernel
    {
        get
        {
            if (_kernel is null)
            {
                try
                {
                    _kernel = IpvsClient.Open();
                }
                catch (NetlinkException e)
                {
                    ThrowTerminatingError(KernelErrors.ToErrorRecord(e, target: null));
                }
            }

            return _kernel!;
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _kernel?.Dispose();
            _kernel = null;
        }
    }

    /// <summary>Runs a kernel read; a failure ends the command with its ErrorRecord.</summary>
    protected T ReadKernel<T>(Func<IIpvsKernel, T> read, object? target = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read(Kernel);
        }
        catch (NetlinkException e)
        {
            ThrowTerminatingError(KernelErrors.ToErrorRecord(e, target));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }
}
