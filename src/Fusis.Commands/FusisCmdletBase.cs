using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands;

/// <summary>
/// What every Fusis cmdlet shares: the kernel, opened on first use and closed when the pipeline ends, and
/// kernel errors turned into ErrorRecords with stable ids and the right category.
/// </summary>
public abstract class FusisCmdletBase : PSCmdlet, IDisposable
{
    /// <summary>Overrides where the desired state lives (default /var/lib/fusis/state.json).</summary>
    public const string StatePathVariable = "FUSIS_STATE_PATH";

    private IIpvsKernel? _kernel;
    private DesiredState? _desired;

    /// <summary>How the kernel is opened: the real one, or an in-memory double in host tests.</summary>
    internal static Func<IIpvsKernel> KernelFactory { get; set; } = () => IpvsClient.Open();

    /// <summary>The desired-state file this command uses.</summary>
    protected static string StatePath =>
        Environment.GetEnvironmentVariable(StatePathVariable) is { Length: > 0 } path ? path : DesiredStateStore.DefaultPath;

    /// <summary>The saved desired state (read once); an unreadable or invalid file ends the command, untouched.</summary>
    protected DesiredState Desired
    {
        get
        {
            if (_desired is null)
            {
                try
                {
                    _desired = new DesiredStateStore(StatePath).Load();
                }
                catch (DesiredStateException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, ErrorIds.DesiredStateInvalid, ErrorCategory.InvalidData, StatePath));
                }
            }

            return _desired!;
        }
    }

    /// <summary>The local kernel's IPVS table; an unusable environment (no IPVS, not root) ends the command.</summary>
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
            WriteError(ServiceNotFound(name));
        }

        return matches;
    }

    /// <summary>
    /// Runs one change of the desired state: <paramref name="change"/> gets the saved state and returns the next
    /// one and the kernel operations that apply it (or null to change nothing). The next state is saved before
    /// the kernel is written; when the kernel refuses an operation and <paramref name="undoOnRefusal"/> is set,
    /// the saved state is put back, so a refused change leaves nothing behind.
    /// </summary>
    protected void ChangeDesiredState(
        string target, Func<DesiredState, (DesiredState Next, IReadOnlyList<Netlink.Ipvs.IpvsOperation> Plan)?> change, bool undoOnRefusal, Action? afterSuccess = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        try
        {
            using DesiredStateTransaction transaction = DesiredStateTransaction.Begin(StatePath);
            if (change(transaction.Current) is not { } planned || !ShouldProcess(target, planned.Plan.Count == 0 ? "change the desired state only (no kernel write)" : string.Join("; ", planned.Plan)))
            {
                return;
            }

            transaction.Save(planned.Next);
            foreach (Netlink.Ipvs.IpvsOperationResult result in Kernel.Apply(planned.Plan))
            {
                if (result.Error is { } refused && !Core.Reconcile.OperationOutcome.AlreadyGone(result))
                {
                    if (undoOnRefusal)
                    {
                        transaction.Restore();
                    }

                    WriteError(KernelErrors.ToErrorRecord(refused, target, result.Operation.Kind));
                    return;
                }
            }
        }
        catch (DesiredStateException e)
        {
            WriteError(DesiredStateTransaction.ToErrorRecord(e, target));
            return;
        }

        afterSuccess?.Invoke();
    }

    /// <summary>The owned service with this name, or a non-terminating ServiceNotFound error and null.</summary>
    protected DesiredService? FindOwned(DesiredState state, string name)
    {
        ArgumentNullException.ThrowIfNull(state);
        DesiredService? service = state.Find(name);
        if (service is null)
        {
            WriteError(ServiceNotFound(name));
        }

        return service;
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

    /// <summary>Bad input: refused before anything is written.</summary>
    protected static ErrorRecord InvalidArgument(string message, object? target) =>
        new(new ArgumentException($"{message}; nothing was changed"), ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, target);

    /// <summary>A service from Get-FusisService that Fusis does not own, handed to a command that would change it.</summary>
    protected static ErrorRecord NotManaged(FusisService service) =>
        new(new InvalidOperationException($"{service.Service} is not a service Fusis owns; Fusis never changes services it does not own"),
            ErrorIds.ServiceNotManaged, ErrorCategory.PermissionDenied, service);

    private static ErrorRecord ServiceNotFound(string name) =>
        new(new ItemNotFoundException($"Fusis owns no service named '{name}' (Get-FusisService without a name also lists the services it does not own)."),
            ErrorIds.ServiceNotFound, ErrorCategory.ObjectNotFound, name);

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
