namespace Fusis.Core.State;

/// <summary>
/// Where a host's desired state is kept: the engine, its only writer, loads it once and saves every change before
/// applying it. A store is opened for one writer and held by it until disposed.
/// </summary>
public interface IDesiredStateStore : IDisposable
{
    /// <summary>What the store is, for messages: a file path, an etcd prefix.</summary>
    string Description { get; }

    /// <summary>The saved state; <see cref="DesiredState.Empty"/> when nothing was saved yet.</summary>
    /// <exception cref="DesiredStateException">The saved state cannot be used; it is left untouched.</exception>
    DesiredState Load();

    /// <summary>Validates, then replaces the saved state atomically.</summary>
    /// <exception cref="DesiredStateException">The state is invalid (nothing saved), or it could not be saved.</exception>
    void Save(DesiredState state);
}
