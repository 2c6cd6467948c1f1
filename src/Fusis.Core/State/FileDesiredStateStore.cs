using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fusis.Core.Interop;

namespace Fusis.Core.State;

/// <summary>
/// The desired state on disk: a JSON document (state.json), replaced atomically (temp file, fsync, rename, fsync of
/// the folder) so a crash leaves the old or the new one, never a torn one; and a journal beside it (state.json.journal)
/// where each later change is appended as one line and fsynced, so a change costs what it touches, not the size of the
/// whole state. The document is rewritten, and the journal emptied, once the journal outgrows it. A corrupt or foreign
/// file is an error, never a silent reset, and is left untouched. An opened store holds the lock (flock on
/// state.json.lock) until disposed, so one writer at a time uses it; <see cref="Read"/> reads without it.
/// </summary>
public sealed class FileDesiredStateStore : IDesiredStateStore
{
    public const string DefaultPath = "/var/lib/fusis/state.json";

    // The journal may grow to the document's size (at least this much) before the document is rewritten: every
    // byte a rewrite writes was paid for by a byte appended, so saves cost the same at any size on average, and a
    // load reads at most twice the document.
    private const long MinimumJournalBytes = 64 << 10;

    private static readonly JsonTypeInfo<StateDocument> IndentedDocument =
        (JsonTypeInfo<StateDocument>)new JsonSerializerOptions(StateWriterJsonContext.Default.Options) { WriteIndented = true }.GetTypeInfo(typeof(StateDocument));

    private readonly FileStream _lock;
    private FileStream? _journal;
    private Saved? _saved;

    // What was saved before the last journal line: a save of that very state (the engine undoing a change the kernel
    // refused saves the state it saved before) takes the line back instead of appending another, so a refused change
    // leaves the files as they were. By reference: a comparison would look at every service on every save.
    private Saved? _beforeLastLine;

    private FileDesiredStateStore(string path, FileStream heldLock)
    {
        Path = path;
        _lock = heldLock;
    }

    public string Path { get; }

    public string Description => Path;

    private string JournalPath => JournalOf(Path);

    /// <summary>Opens the store for writing: takes its lock, waiting up to <paramref name="lockTimeout"/> for another writer.</summary>
    /// <exception cref="DesiredStateLockedException">Another process (a balancer, a pipeline) holds the lock.</exception>
    public static FileDesiredStateStore Open(string path, TimeSpan lockTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        return new FileDesiredStateStore(full, Lock(full, lockTimeout));
    }

    /// <summary>The saved state, read without the lock (the journal first, then the document: a rewrite between the two reads is seen whole).</summary>
    /// <exception cref="DesiredStateException">A file is unreadable, not JSON, not ours, from a newer Fusis, or invalid.</exception>
    public static DesiredState Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(System.IO.Path.GetFullPath(path)).State;
    }

    /// <summary>Saves <paramref name="state"/> as the one writer for a moment: opens (takes the lock), validates, saves, closes.</summary>
    /// <exception cref="DesiredStateException">Locked by another writer too long, invalid, or the state cannot be saved.</exception>
    public static void Write(string path, DesiredState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Validate() is { Count: > 0 } problems)
        {
            throw new DesiredStateException("the desired state is not valid; nothing was saved", problems);
        }

        using FileDesiredStateStore store = Open(path, TimeSpan.FromSeconds(10));
        store.Load();
        store.Save(state);
    }

    public DesiredState Load()
    {
        Saved saved = Load(Path);
        if (saved.JournalBytes < saved.JournalFileBytes)
        {
            // A line cut short by a crash was never acknowledged: drop it, so the next record starts a line of its own.
            using var journal = new FileStream(JournalPath, FileMode.Open, FileAccess.Write);
            journal.SetLength(saved.JournalBytes);
            journal.Flush(flushToDisk: true);
        }

        _saved = saved;
        return saved.State;
    }

    /// <summary>
    /// Saves <paramref name="state"/>, which the caller (the engine) has validated: as a journal line when the store was
    /// loaded and the journal has room, else as a new document.
    /// </summary>
    /// <exception cref="DesiredStateException">The state could not be saved; the saved state is what it was.</exception>
    public void Save(DesiredState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Saved saved = _saved ?? throw new InvalidOperationException("the store is saved to after it was loaded");
        if (_beforeLastLine is { } before && _journal is not null && ReferenceEquals(state, before.State))
        {
            try
            {
                _journal.SetLength(before.JournalBytes);
                _journal.Flush(flushToDisk: true);
            }
            catch (IOException e)
            {
                throw new DesiredStateException($"cannot write the desired state {Path}: {e.Message}", e);
            }

            (_saved, _beforeLastLine) = (before, null);
            return;
        }

        DesiredStateChange? change = saved.DocumentBytes == 0 ? null : DesiredStateChange.Between(saved.State, state);
        if (change is { IsEmpty: true })
        {
            return;
        }

        try
        {
            byte[]? line = change is null ? null : RecordLine(change, saved.Sequence + 1);
            bool append = line is not null && saved.JournalBytes + line.Length <= Math.Max(MinimumJournalBytes, saved.DocumentBytes);
            _beforeLastLine = null;
            _saved = append ? Append(saved, state, line!) : Rewrite(saved, state);
            _beforeLastLine = append ? saved : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DesiredStateException($"cannot write the desired state {Path}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _journal?.Dispose();
        _lock.Dispose();
    }

    /// <summary>The document format of the file (also what Export-FusisConfiguration -Format Json writes), indented.</summary>
    public static byte[] ToJson(DesiredState state) =>
        JsonSerializer.SerializeToUtf8Bytes(StateDocumentMapper.ToDocument(state, sequence: 0), IndentedDocument);

    /// <summary>Reads the document format; the result is not validated yet (<see cref="DesiredState.Validate()"/>).</summary>
    /// <exception cref="FormatException">Not JSON, not a Fusis document, from a newer Fusis, or with unusable values.</exception>
    public static DesiredState FromJson(ReadOnlySpan<byte> json) => StateDocumentMapper.FromDocument(ParseDocument(json));

    private static StateDocument ParseDocument(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StateJsonContext.Default.StateDocument) ?? throw new FormatException("it is empty (null)");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static string JournalOf(string path) => path + ".journal";

    private static byte[] RecordLine(DesiredStateChange change, long sequence)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(StateDocumentMapper.ToRecord(change, sequence), StateWriterJsonContext.Default.JournalRecord);
        byte[] line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    private Saved Append(Saved saved, DesiredState state, byte[] line)
    {
        if (_journal is null)
        {
            bool created = !File.Exists(JournalPath);
            _journal = new FileStream(JournalPath, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.Write,
                Share = FileShare.Read,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            });
            if (created)
            {
                FSyncFolder(System.IO.Path.GetDirectoryName(Path)!);
            }
        }

        try
        {
            _journal.Position = saved.JournalBytes;
            _journal.Write(line);
            _journal.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Not acknowledged: take the line back (best effort; a torn line is dropped when the store is next loaded).
            try
            {
                _journal.SetLength(saved.JournalBytes);
            }
            catch (IOException)
            {
            }

            throw;
        }

        return saved with { State = state, Sequence = saved.Sequence + 1, JournalBytes = saved.JournalBytes + line.Length, JournalFileBytes = saved.JournalBytes + line.Length };
    }

    // The document first (it names the last sequence it includes, so the old journal's lines are skipped if a crash
    // comes before the journal is emptied), then the journal.
    private Saved Rewrite(Saved saved, DesiredState state)
    {
        long sequence = saved.Sequence + 1;
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(StateDocumentMapper.ToDocument(state, sequence), StateWriterJsonContext.Default.StateDocument);
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
            throw;
        }

        var rewritten = new Saved(state, sequence, bytes.Length, 0, 0);
        if (saved.JournalFileBytes > 0)
        {
            // From here the document alone is the state: if emptying the journal fails, its lines are skipped anyway.
            _saved = rewritten;
            FileStream journal = _journal ?? new FileStream(JournalPath, FileMode.Open, FileAccess.Write, FileShare.Read);
            journal.SetLength(0);
            journal.Flush(flushToDisk: true);
            if (_journal is null)
            {
                journal.Dispose();
            }
        }

        return rewritten;
    }

    private static Saved Load(string path)
    {
        string journalPath = JournalOf(path);
        byte[]? journal = ReadAll(journalPath);
        byte[]? document = ReadAll(path);
        if (document is null)
        {
            return journal is { Length: > 0 }
                ? throw new DesiredStateException($"the journal {journalPath} has changes but the desired state {path} is missing; both were left untouched: restore the state file, or move the journal away to start empty")
                : new Saved(DesiredState.Empty, 0, 0, 0, journal?.Length ?? 0);
        }

        DesiredState state;
        long sequence;
        try
        {
            StateDocument parsed = ParseDocument(document);
            state = StateDocumentMapper.FromDocument(parsed);
            sequence = parsed.Sequence;
        }
        catch (FormatException e)
        {
            throw new DesiredStateException(
                $"the desired state {path} cannot be used: {e.Message}. It was left untouched: repair it, or move it away to start empty", e);
        }

        int complete = 0;
        if (journal is not null)
        {
            complete = journal.AsSpan().LastIndexOf((byte)'\n') + 1;
            int number = 0;
            foreach (Range range in journal.AsSpan(0, complete).Split((byte)'\n'))
            {
                number++;
                ReadOnlySpan<byte> line = journal.AsSpan(range);
                if (line.IsEmpty)
                {
                    continue;
                }

                try
                {
                    JournalRecord record = JsonSerializer.Deserialize(line, StateJsonContext.Default.JournalRecord) ?? throw new FormatException("it is empty (null)");
                    if (record.Sequence <= sequence)
                    {
                        continue; // already in the document (a rewrite was cut short before the journal was emptied)
                    }

                    if (record.Sequence != sequence + 1)
                    {
                        throw new FormatException($"it is record {record.Sequence}, but the next change after {sequence} was expected");
                    }

                    state = StateDocumentMapper.FromRecord(record).ApplyTo(state);
                    sequence = record.Sequence;
                }
                catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
                {
                    throw new DesiredStateException(
                        $"line {number} of the journal {journalPath} cannot be used: {e.Message}. Both files were left untouched: repair it, or move the journal away to fall back to {path} alone", e);
                }
            }
        }

        IReadOnlyList<string> problems = state.Validate();
        return problems.Count == 0
            ? new Saved(state, sequence, document.Length, complete, journal?.Length ?? 0)
            : throw new DesiredStateException($"the desired state {path} is not valid; it was left untouched", problems);
    }

    private static byte[]? ReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DesiredStateException($"cannot read the desired state {path}: {e.Message}", e);
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

    // A rename, or a new file, is durable only once the folder entry is on disk too.
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

    /// <summary>What is on disk: the state, the last sequence, the document's size and the journal's (whole lines, and the file).</summary>
    private sealed record Saved(DesiredState State, long Sequence, long DocumentBytes, long JournalBytes, long JournalFileBytes);
}
