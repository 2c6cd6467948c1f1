using System.Runtime.InteropServices;
using System.Text.Json;
using Fusis.Core.Interop;

namespace Fusis.Core.State;

/// <summary>
/// The desired state on disk: one JSON document, written atomically (temp file, fsync, rename, fsync of the
/// folder) so a crash leaves the old or the new state, never a torn one. A corrupt or foreign file is an error,
/// never a silent reset, and is left untouched. An opened store holds the file's lock (flock on state.json.lock)
/// until disposed, so one writer at a time uses it; <see cref="Read"/> reads without it (the rename is atomic).
/// </summary>
public sealed class FileDesiredStateStore : IDesiredStateStore
{
    public const string DefaultPath = "/var/lib/fusis/state.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private readonly FileStream _lock;

    private FileDesiredStateStore(string path, FileStream heldLock)
    {
        Path = path;
        _lock = heldLock;
    }

    public string Path { get; }

    public string Description => Path;

    /// <summary>Opens the store for writing: takes its lock, waiting up to <paramref name="lockTimeout"/> for another writer.</summary>
    /// <exception cref="DesiredStateLockedException">Another process (a balancer, a pipeline) holds the lock.</exception>
    public static FileDesiredStateStore Open(string path, TimeSpan lockTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        return new FileDesiredStateStore(full, Lock(full, lockTimeout));
    }

    /// <summary>The saved state, read without the lock (readers never see a torn file).</summary>
    /// <exception cref="DesiredStateException">The file is unreadable, not JSON, not ours, from a newer Fusis, or invalid.</exception>
    public static DesiredState Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(System.IO.Path.GetFullPath(path));
    }

    /// <summary>Saves <paramref name="state"/> as the one writer for a moment: opens (takes the lock), saves, closes.</summary>
    /// <exception cref="DesiredStateException">Locked by another writer too long, or the state cannot be saved.</exception>
    public static void Write(string path, DesiredState state)
    {
        using FileDesiredStateStore store = Open(path, TimeSpan.FromSeconds(10));
        store.Save(state);
    }

    public DesiredState Load() => Load(Path);

    public void Dispose() => _lock.Dispose();

    private static DesiredState Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return DesiredState.Empty;
        }
        catch (DirectoryNotFoundException)
        {
            return DesiredState.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DesiredStateException($"cannot read the desired state {path}: {e.Message}", e);
        }

        DesiredState state;
        try
        {
            state = FromJson(bytes);
        }
        catch (FormatException e)
        {
            throw new DesiredStateException(
                $"the desired state {path} cannot be used: {e.Message}. It was left untouched: repair it, or move it away to start empty", e);
        }

        IReadOnlyList<string> problems = state.Validate();
        return problems.Count == 0
            ? state
            : throw new DesiredStateException($"the desired state {path} is not valid; it was left untouched", problems);
    }

    /// <summary>Validates, then replaces the file atomically.</summary>
    /// <exception cref="DesiredStateException">The state is invalid (nothing written), or the file could not be written.</exception>
    public void Save(DesiredState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        IReadOnlyList<string> problems = state.Validate();
        if (problems.Count > 0)
        {
            throw new DesiredStateException("the desired state is not valid; nothing was saved", problems);
        }

        byte[] bytes = ToJson(state);
        string folder = System.IO.Path.GetDirectoryName(Path)!;
        string temporary = $"{Path}.tmp-{Environment.ProcessId}";
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            }))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            FSyncFolder(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new DesiredStateException($"cannot write the desired state {Path}: {e.Message}", e);
        }
    }

    /// <summary>The document format of the file (also what Export-FusisConfiguration -Format Json writes).</summary>
    public static byte[] ToJson(DesiredState state) =>
        JsonSerializer.SerializeToUtf8Bytes(StateDocumentMapper.ToDocument(state), JsonOptions);

    /// <summary>Reads the document format; the result is not validated yet (<see cref="DesiredState.Validate"/>).</summary>
    /// <exception cref="FormatException">Not JSON, not a Fusis document, from a newer Fusis, or with unusable values.</exception>
    public static DesiredState FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            StateDocument document = JsonSerializer.Deserialize<StateDocument>(json, JsonOptions)
                ?? throw new FormatException("it is empty (null)");
            return StateDocumentMapper.FromDocument(document);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    // flock(2) on state.json.lock: writers on this host take turns; a lock held by a process that died is released by the kernel.
    private static FileStream Lock(string path, TimeSpan timeout)
    {
        string lockPath = path + ".lock";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(lockPath)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock(2) on Linux.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            catch (IOException e)
            {
                throw new DesiredStateLockedException(path, $"another Fusis process (a balancer daemon, or a pipeline) holds {lockPath} (waited {timeout.TotalSeconds:0.#} s); nothing was changed", e);
            }
        }
    }

    // The rename is durable only once the folder entry is on disk too.
    private static void FSyncFolder(string folder)
    {
        int fd = Libc.Open(folder, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            throw new IOException($"open({folder}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (Libc.FSync(fd) != 0)
            {
                throw new IOException($"fsync({folder}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
