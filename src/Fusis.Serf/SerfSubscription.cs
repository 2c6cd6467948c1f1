using System.Buffers;
using System.Threading.Channels;
using Fusis.Serf.Protocol;

namespace Fusis.Serf;

/// <summary>
/// A stream (or monitor) on a connection of its own. When the connection drops it reconnects with exponential
/// backoff, subscribes again and, for event streams, yields <see cref="SerfStreamResumed"/> so the consumer
/// re-reads state it may have missed. An authentication failure ends it: the token will not fix itself.
/// </summary>
public sealed class SerfSubscription<T> : IAsyncDisposable
{
    private readonly SerfClientOptions _options;
    private readonly string _command;
    private readonly (string Key, object? Value)[] _body;
    private readonly Func<ReadOnlySequence<byte>, T> _decode;
    private readonly Func<int, T>? _resumed;
    private readonly Channel<T> _records = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stopping = new();
    // Replaced by the supervisor on reconnect; read by RespondAsync and DisposeAsync on other threads.
    private volatile SerfConnection _connection;
    private ulong _seq;
    private Task? _supervisor;

    private SerfSubscription(SerfClientOptions options, string command, (string, object?)[] body, Func<ReadOnlySequence<byte>, T> decode, Func<int, T>? resumed, SerfConnection connection)
    {
        _options = options;
        _command = command;
        _body = body;
        _decode = decode;
        _resumed = resumed;
        _connection = connection;
    }

    /// <summary>Records as they arrive; completes when the subscription is disposed or fails for good.</summary>
    public ChannelReader<T> Records => _records.Reader;

    /// <summary>How many times the subscription reconnected.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Answers a query received on this subscription (query IDs belong to the connection they came on).</summary>
    public Task RespondAsync(ulong queryId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        _connection.CommandAsync<object>(SerfCommands.Respond, SerfRequests.Respond(queryId, payload), null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (!_connection.IsClosed)
            {
                await _connection.StopAsync(_seq, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SerfException or OperationCanceledException)
        {
            // Closing the connection ends the subscription anyway.
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }

        _records.Writer.TryComplete();
        _stopping.Dispose();
    }

    internal static async Task<SerfSubscription<T>> StartAsync(
        SerfClientOptions options, string command, (string, object?)[] body, Func<ReadOnlySequence<byte>, T> decode, Func<int, T>? resumed, CancellationToken cancellationToken)
    {
        SerfConnection connection = await SerfConnection.ConnectAsync(options.Host, options.Port, options.AuthKey, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        var subscription = new SerfSubscription<T>(options, command, body, decode, resumed, connection);
        try
        {
            subscription._seq = await subscription.SubscribeAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        subscription._supervisor = Task.Run(subscription.SuperviseAsync, CancellationToken.None); // it outlives the call that started it
        return subscription;
    }

    private Task<ulong> SubscribeAsync(SerfConnection connection, CancellationToken cancellationToken) =>
        connection.SubscribeAsync(
            _command,
            _body,
            record =>
            {
                _records.Writer.TryWrite(_decode(record));
                return true;
            },
            _ => { },
            cancellationToken);

    private async Task SuperviseAsync()
    {
        try
        {
            await ReconnectWhileRunningAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ReconnectWhileRunningAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Exception reason = await _connection.Closed.WaitAsync(stopping).ConfigureAwait(false);
            if (reason is SerfAuthenticationException)
            {
                _records.Writer.TryComplete(reason);
                return;
            }

            TimeSpan delay = _options.MinReconnectDelay;
            for (int attempt = 1; !stopping.IsCancellationRequested; attempt++)
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                try
                {
                    SerfConnection connection = await SerfConnection.ConnectAsync(_options.Host, _options.Port, _options.AuthKey, _options.ConnectTimeout, stopping).ConfigureAwait(false);
                    try
                    {
                        _seq = await SubscribeAsync(connection, stopping).ConfigureAwait(false);
                    }
                    catch
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }

                    SerfConnection old = _connection;
                    _connection = connection;
                    await old.DisposeAsync().ConfigureAwait(false);
                    Reconnects++;
                    if (_resumed is not null)
                    {
                        _records.Writer.TryWrite(_resumed(Reconnects));
                    }

                    break;
                }
                catch (SerfAuthenticationException e)
                {
                    _records.Writer.TryComplete(e);
                    return;
                }
                catch (SerfException)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                }
            }
        }
    }
}
