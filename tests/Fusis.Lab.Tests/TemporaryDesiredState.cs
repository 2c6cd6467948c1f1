using Fusis.Core.State;

namespace Fusis.Lab.Tests;

/// <summary>A desired-state file in a folder of its own, named by FUSIS_STATE_PATH for the cmdlets until disposed.</summary>
internal sealed class TemporaryDesiredState : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-module-");

    public TemporaryDesiredState()
    {
        Path = System.IO.Path.Combine(_folder.FullName, "state.json");
        Environment.SetEnvironmentVariable("FUSIS_STATE_PATH", Path);
    }

    public string Path { get; }

    public DesiredState Saved => FileDesiredStateStore.Read(Path);

    public void Save(DesiredState state) => FileDesiredStateStore.Write(Path, state);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("FUSIS_STATE_PATH", null);
        _folder.Delete(recursive: true);
    }
}
