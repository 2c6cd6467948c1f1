using System.Management.Automation;
using Fusis.Core;
using Fusis.Core.Backends;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>
/// What every Fusis cmdlet shares: how this host's kernel is opened, the desired state read (never written: the
/// engine is its only writer), name matching, and errors as ErrorRecords with stable ids and the right category.
/// </summary>
public abstract class FusisCmdletBase : PSCmdlet, IDisposable
{
    /// <summary>Overrides where the desired state lives (default /var/lib/fusis/state.json).</summary>
    public const string StatePathVariable = LocalBackend.StatePathVariable;

    private IIpvsKernel? _kernel;
    private DesiredState? _desired;

    /// <summary>How the kernel is opened: the real one, or an in-memory double in host tests.</summary>
    internal static Func<IIpvsKernel> KernelFactory { get; set; } = () => IpvsClient.Open();

    /// <summary>The desired-state file this host uses.</summary>
    protected static string StatePath => LocalBackend.StatePath;

    /// <summary>The saved desired state, read once (without the lock: the file is replaced atomically).</summary>
    protected DesiredState Desired
    {
        get
        {
            if (_desired is null)
            {
                try
                {
                    _desired = FileDesiredStateStore.Read(StatePath);
                }
                catch (DesiredStateException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, nameof(FusisErrorCode.DesiredStateInvalid), ErrorCategory.InvalidData, StatePath));
                }
            }

            return _desired!;
        }
    }

    /// <summary>This host's kernel (for what is not desired state: timeouts, counters); no IPVS or not root ends the command.</summary>
    protected IIpvsKernel Kernel
    {
        get
        {
            if (_kernel is null)
            {
                try
                {
                    _kernel = KernelFactory();
                }
                catch (NetlinkException e)
                {
                    ThrowTerminatingError(KernelErrors.ToErrorRecord(e, target: null));
                }
            }

            return _kernel!;
        }
    }

    /// <summary>
    /// The owned services whose names match <paramref name="name"/> (wildcards allowed, case-insensitive). A plain
    /// name that matches nothing writes a non-terminating ServiceNotFound error, as Get-Service does.
    /// </summary>
    protected IReadOnlyList<T> MatchOwned<T>(IEnumerable<T> services, Func<T, string?> nameOf, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(nameOf);
        var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
        var matches = services.Where(s => nameOf(s) is { } owned && pattern.IsMatch(owned)).ToList();
        if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
        {
            WriteError(FusisErrors.ToErrorRecord(FusisException.ServiceNotFound(name), name));
        }

        return matches;
    }

    /// <summary>Runs <paramref name="action"/> for each piped service Fusis owns; the others get a ServiceNotManaged error.</summary>
    protected void ForEachOwned(IEnumerable<FusisService> services, Action<FusisService> action)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(action);
        foreach (FusisService service in services)
        {
            if (service.Managed)
            {
                action(service);
            }
            else
            {
                WriteError(NotManaged(service));
            }
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

    /// <summary>Bad input: refused before anything is written.</summary>
    protected static ErrorRecord InvalidArgument(string message, object? target) =>
        FusisErrors.ToErrorRecord(new FusisException(FusisErrorCode.InvalidArgument, $"{message}; nothing was changed"), target);

    /// <summary>A service from Get-FusisService that Fusis does not own, handed to a command that would change it.</summary>
    protected static ErrorRecord NotManaged(FusisService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return FusisErrors.ToErrorRecord(
            new FusisException(FusisErrorCode.ServiceNotManaged, $"{service.Service} is not a service Fusis owns; Fusis never changes services it does not own"),
            service);
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
}
