using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Fusis.Serf.Protocol;
using MessagePack;

namespace Fusis.Serf;

/// <summary>
/// One RPC connection to an agent: handshake, optional auth, and a single reader loop that routes every reply
/// and stream record by sequence number. Whether a body follows a header is known only from the command that
/// owns the sequence number, so an unknown sequence number is fatal: the connection closes and callers see why.
/// </summary>
internal sealed class SerfConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly IDisposable? _owner;
    private readonly MessagePackStreamReader _frames;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<ulong, Entry> _entries = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private long _lastSeq;

    internal SerfConnection(Stream stream, string name, IDisposable? owner = null)
    {
        _stream = stream;
        _owner = owner;
        Name = name;
        _frames = new MessagePackStreamReader(stream, leaveOpen: true);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>The agent's address, for messages.</summary>
    public string Name { get; }

    /// <summary>Completes with the reason once the connection is closed, for whatever reason.</summary>
    public Task<Exception> Closed => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Connects, performs the handshake and, with a token, authenticates.</summary>
    public static async Task<SerfConnection> ConnectAsync(string host, int port, string? authKey, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string name = $"{host}:{port}";
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(timeout);
            await tcp.ConnectAsync(host, port, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            tcp.Dispose();
            string reason = e is SocketException socket ? socket.Message : $"no answer within {timeout.TotalSeconds:0.#} s";
            throw new SerfConnectionException($"cannot connect to the Serf agent's RPC address {name}: {reason}", e);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        var connection = new SerfConnection(tcp.GetStream(), name, tcp);
        try
        {
            await connection.HandshakeAsync(authKey, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>handshake (version 1), then auth when a token is given; nothing else may go first.</summary>
    public async Task HandshakeAsync(string? authKey, CancellationToken cancellationToken)
    {
        await CommandAsync<object>(SerfCommands.Handshake, SerfRequests.Handshake(), null, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(authKey))
        {
            await CommandAsync<object>(SerfCommands.Auth, SerfRequests.Auth(authKey), null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a command and waits for its reply; throws <see cref="SerfCommandException"/> on an agent error.</summary>
    public async Task<T?> CommandAsync<T>(string command, (string Key, object? Value)[]? body, Func<ReadOnlySequence<byte>, T>? decodeBody, CancellationToken cancellationToken)
    {
        (SerfResponseHeader header, object? decoded) = await SendAsync(command, body, decodeBody is null ? null : frame => decodeBody(frame), cancellationToken).ConfigureAwait(false);
        ThrowIfError(command, header.Error, decoded);
        return (T?)decoded;
    }

    /// <summary>Sends a command; returns the header and the decoded body (a body comes even with an error, for some commands).</summary>
    public async Task<(SerfResponseHeader Header, object? Body)> SendAsync(
        string command, (string Key, object? Value)[]? body, Func<ReadOnlySequence<byte>, object?>? decodeBody, CancellationToken cancellationToken)
    {
        var entry = new CommandEntry(command, decodeBody);
        await WriteAsync(command, body, entry, cancellationToken).ConfigureAwait(false);
        // A cancelled caller stops waiting, but the entry stays: the reply (and its body) still has to be read.
        using CancellationTokenRegistration registration = cancellationToken.Register(() => entry.Reply.TrySetCanceled(cancellationToken));
        return await entry.Reply.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a subscription (stream, monitor, query): waits for the ack, then hands every record to
    /// <paramref name="onRecord"/> (on the reader loop; return false when it was the last). Returns its sequence number.
    /// </summary>
    public async Task<ulong> SubscribeAsync(
        string command, (string Key, object? Value)[] body, Func<ReadOnlySequence<byte>, bool> onRecord, Action<Exception> onClosed, CancellationToken cancellationToken)
    {
        var entry = new SubscriptionEntry(command, onRecord, onClosed);
        ulong seq = await WriteAsync(command, body, entry, cancellationToken).ConfigureAwait(false);
        using CancellationTokenRegistration registration = cancellationToken.Register(() => entry.Ack.TrySetCanceled(cancellationToken));
        string error = await entry.Ack.Task.ConfigureAwait(false);
        ThrowIfError(command, error, null);
        return seq;
    }

    /// <summary>
    /// Stops a subscription. Its records may still arrive after the agent's reply; they are read and dropped,
    /// which is why the entry stays in the table until the connection closes.
    /// </summary>
    public async Task StopAsync(ulong seq, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(seq, out Entry? entry) && entry is SubscriptionEntry subscription)
        {
            subscription.Stopped = true;
        }

        await CommandAsync<object>(SerfCommands.Stop, SerfRequests.Stop(seq), null, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Close(new SerfConnectionException($"the connection to the Serf agent at {Name} was closed"));
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }

        _frames.Dispose();
        _writeLock.Dispose();
        _closing.Dispose();
    }

    private static void ThrowIfError(string command, string error, object? body)
    {
        if (error.Length == 0)
        {
            return;
        }

        if (error == SerfErrorText.InvalidAuthToken)
        {
            throw new SerfAuthenticationException("the Serf agent refused the RPC token (Invalid authentication token): check rpc_auth; retrying will not help");
        }

        string detail = body is SerfKeyResponse { Messages.Count: > 0 } keys
            ? $"{error} ({string.Join("; ", keys.Messages.Select(m => $"{m.Key}: {m.Value}"))})"
            : error;
        throw new SerfCommandException(command, detail);
    }

    private async Task<ulong> WriteAsync(string command, (string Key, object? Value)[]? body, Entry entry, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosed)
            {
                throw new SerfConnectionException($"the connection to the Serf agent at {Name} is closed: {_closed.Task.Result.Message}", _closed.Task.Result);
            }

            ulong seq = (ulong)Interlocked.Increment(ref _lastSeq);
            SerfCodec.WriteHeader(buffer, command, seq);
            if (body is not null)
            {
                SerfCodec.WriteBody(buffer, body);
            }

            _entries[seq] = entry;
            try
            {
                await _stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                _entries.TryRemove(seq, out _);
                var failure = new SerfConnectionException($"lost the connection to the Serf agent at {Name}: {e.Message}", e);
                Close(failure);
                throw failure;
            }

            return seq;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                ReadOnlySequence<byte>? frame = await _frames.ReadAsync(_closing.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    throw new SerfConnectionException($"the Serf agent at {Name} closed the connection");
                }

                SerfResponseHeader header = SerfCodec.ReadHeader(frame.Value);
                if (!_entries.TryGetValue(header.Seq, out Entry? entry))
                {
                    throw new SerfProtocolException($"the Serf agent at {Name} sent a reply for unknown sequence number {header.Seq}");
                }

                await DispatchAsync(header, entry).ConfigureAwait(false);
                if (SerfErrorText.ClosesConnection(header.Error))
                {
                    throw new SerfConnectionException($"the Serf agent at {Name} closed the connection after '{header.Error}'");
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            reason = _closed.Task.IsCompleted ? _closed.Task.Result : new SerfConnectionException($"the connection to {Name} was closed");
        }
        catch (SerfException e)
        {
            reason = e;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            reason = new SerfProtocolException($"malformed msgpack from the Serf agent at {Name}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            reason = new SerfConnectionException($"lost the connection to the Serf agent at {Name}: {e.Message}", e);
        }

        Close(reason);
    }

    private async Task DispatchAsync(SerfResponseHeader header, Entry entry)
    {
        switch (entry)
        {
            case CommandEntry command:
                object? body = null;
                if (SerfCommands.ReplyHasBody(command.Command) && !SerfErrorText.SuppressesBody(header.Error))
                {
                    ReadOnlySequence<byte> frame = await NextFrameAsync().ConfigureAwait(false);
                    body = command.DecodeBody?.Invoke(frame);
                }

                _entries.TryRemove(header.Seq, out _);
                command.Reply.TrySetResult((header, body));
                break;
            case SubscriptionEntry subscription when !subscription.Acked:
                // The first header of a subscription is its ack, never followed by a body.
                subscription.Acked = true;
                if (header.IsError)
                {
                    _entries.TryRemove(header.Seq, out _);
                }

                subscription.Ack.TrySetResult(header.Error);
                break;
            case SubscriptionEntry subscription:
                ReadOnlySequence<byte> record = await NextFrameAsync().ConfigureAwait(false);
                if (!subscription.Stopped && !subscription.OnRecord(record))
                {
                    _entries.TryRemove(header.Seq, out _);
                }

                break;
        }
    }

    private async Task<ReadOnlySequence<byte>> NextFrameAsync() =>
        await _frames.ReadAsync(_closing.Token).ConfigureAwait(false)
        ?? throw new SerfConnectionException($"the Serf agent at {Name} closed the connection between a header and its body");

    private void Close(Exception reason)
    {
        if (!_closed.TrySetResult(reason))
        {
            return;
        }

        _closing.Cancel();
        foreach (Entry entry in _entries.Values)
        {
            switch (entry)
            {
                case CommandEntry command:
                    command.Reply.TrySetException(reason);
                    break;
                case SubscriptionEntry subscription:
                    subscription.Ack.TrySetException(reason);
                    if (!subscription.Stopped)
                    {
                        subscription.OnClosed(reason);
                    }

                    break;
            }
        }

        _entries.Clear();
        _stream.Dispose();
        _owner?.Dispose();
    }

    private abstract class Entry(string command)
    {
        public string Command { get; } = command;
    }

    private sealed class CommandEntry(string command, Func<ReadOnlySequence<byte>, object?>? decodeBody) : Entry(command)
    {
        public Func<ReadOnlySequence<byte>, object?>? DecodeBody { get; } = decodeBody;

        public TaskCompletionSource<(SerfResponseHeader, object?)> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class SubscriptionEntry(string command, Func<ReadOnlySequence<byte>, bool> onRecord, Action<Exception> onClosed) : Entry(command)
    {
        public Func<ReadOnlySequence<byte>, bool> OnRecord { get; } = onRecord;

        public Action<Exception> OnClosed { get; } = onClosed;

        public TaskCompletionSource<string> Ack { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Acked { get; set; }

        public volatile bool Stopped;
    }
}
