using System.Management.Automation;
using Fusis.Core.State;

namespace Fusis.Commands;

/// <summary>
/// One change to the desired state, as the design requires: under the store's lock, validated whole, saved
/// atomically before the kernel is touched, and put back when the kernel refuses the change outright.
/// </summary>
internal sealed class DesiredStateTransaction : IDisposable
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly DesiredStateStore _store;
    private readonly IDisposable _lock;

    private DesiredStateTransaction(DesiredStateStore store, IDisposable heldLock, DesiredState current)
    {
        _store = store;
        _lock = heldLock;
        Current = current;
    }

    /// <summary>The state as saved when the transaction began.</summary>
    public DesiredState Current { get; }

    /// <exception cref="DesiredStateException">Locked by another process too long, or unreadable.</exception>
    public static DesiredStateTransaction Begin(string path)
    {
        var store = new DesiredStateStore(path);
        IDisposable heldLock = store.Lock(LockTimeout);
        try
        {
            return new DesiredStateTransaction(store, heldLock, store.Load());
        }
        catch
        {
            heldLock.Dispose();
            throw;
        }
    }

    /// <summary>Saves <paramref name="next"/> (validated whole first: nothing is saved when it is invalid).</summary>
    public void Save(DesiredState next) => _store.Save(next);

    /// <summary>Puts back the state the transaction began with.</summary>
    public void Restore() => _store.Save(Current);

    public void Dispose() => _lock.Dispose();

    public static ErrorRecord ToErrorRecord(DesiredStateException exception, object? target) =>
        exception.Problems.Count > 0
            ? new ErrorRecord(exception, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, target)
            : new ErrorRecord(exception, ErrorIds.DesiredStateInvalid, ErrorCategory.InvalidData, target);
}
