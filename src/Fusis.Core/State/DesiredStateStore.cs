using System.Runtime.InteropServices;
using System.Text.Json;
using Fusis.Core.Interop;

namespace Fusis.Core.State;

/// <summary>
/// The desired state on disk: one JSON document, written atomically (temp file, fsync, rename, fsync of the
/// folder) so a crash leaves the old or the new state, never a torn one. A corrupt or foreign file is an error,
/// never a silent reset, and is left untouched.
/// </summary>
public sealed class DesiredStateStore
{
    public const string DefaultPath = "/var/lib/fusis/state.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public DesiredStateStore(string path = DefaultPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>The saved state; <see cref="DesiredState.Empty"/> when there is no file yet.</summary>
    /// <exception cref="DesiredStateException">The file is unreadable, not JSON, not ours, from a newer Fusis, or invalid.</exception>
    public DesiredState Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
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
            throw new DesiredStateException($"cannot read the desired state {Path}: {e.Message}", e);
        }

        DesiredState state;
        try
        {
            state = FromJson(bytes);
        }
        catch (FormatException e)
        {
            throw new DesiredStateException(
                $"the desired state {Path} cannot be used: {e.Message}. It was left untouched: repair it, or move it away to start empty", e);
        }

        IReadOnlyList<string> problems = state.Validate();
        return problems.Count == 0
            ? state
            : throw new DesiredStateException($"the desired state {Path} is not valid; it was left untouched", problems);
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

    /// <summary>
    /// Holds the store's lock file exclusively until disposed, so writers on this host take turns (waits up to
    /// <paramref name="timeout"/>). A lock held by a process that died is released by the kernel.
    /// </summary>
    public IDisposable Lock(TimeSpan timeout)
    {
        string lockPath = Path + ".lock";
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
                throw new DesiredStateException($"another Fusis process holds {lockPath} (waited {timeout.TotalSeconds:0.#} s)", e);
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
