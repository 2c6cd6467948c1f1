namespace Fusis.Core.State;

/// <summary>
/// Where a host's desired state is kept: the engine, its only writer, loads it once and saves every change before
/// applying it. A store is opened for one writer and held by it until disposed; it is loaded before it is saved to.
/// </summary>
public interface IDesiredStateStore : IDisposable
{
    /// <summary>What the store is, for messages: a file path, an etcd prefix.</summary>
    string Description { get; }

    /// <summary>The saved state; <see cref="DesiredState.Empty"/> when nothing was saved yet.</summary>
    /// <exception cref="DesiredStateException">The saved state cannot be used; it is left untouched.</exception>
    DesiredState Load();

    /// <summary>
    /// Saves <paramref name="state"/>, which the engine has validated, durably and atomically before returning: after a
    /// crash the store loads the previous state or this one. Only what changed since the last save needs writing.
    /// </summary>
    /// <exception cref="DesiredStateException">The state could not be saved; the saved state is what it was
    /// (<see cref="DesiredStateConflictException"/>: another writer changed it first).</exception>
    void Save(DesiredState state);

    /// <summary>
    /// As <see cref="Save"/>, for a change only the leader of a cluster may make (a membership or health decision):
    /// a shared store refuses it unless this balancer still holds the leadership. A store of one host has no other.
    /// </summary>
    /// <exception cref="DesiredStateFencedException">This balancer is not the leader; nothing was written.</exception>
    void SaveAsLeader(DesiredState state) => Save(state);
}
