using Fusis.Serf.Protocol;

namespace Fusis.Serf;

/// <summary>
/// A client of a Serf agent's RPC: every command of protocol version 1. Commands go over one control connection
/// (re-opened on the next call after it drops); streams and monitors each get a connection of their own
/// (<see cref="SerfSubscription{T}"/>), so a blocking command never delays events. Thread-safe.
/// </summary>
public sealed class SerfClient : IAsyncDisposable
{
    private readonly SerfClientOptions _options;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private SerfConnection? _control;

    private SerfClient(SerfClientOptions options, SerfConnection control)
    {
        _options = options;
        _control = control;
    }

    public SerfClientOptions Options => _options;

    /// <exception cref="SerfConnectionException">The agent is not reachable at the address (named in the message).</exception>
    /// <exception cref="SerfAuthenticationException">The agent refused the token.</exception>
    public static async Task<SerfClient> ConnectAsync(SerfClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        SerfConnection control = await SerfConnection.ConnectAsync(options.Host, options.Port, options.AuthKey, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        return new SerfClient(options, control);
    }

    /// <summary>All members the agent knows, including itself and failed or left ones.</summary>
    public Task<IReadOnlyList<SerfMember>> MembersAsync(CancellationToken cancellationToken = default) =>
        CommandAsync<IReadOnlyList<SerfMember>>(SerfCommands.Members, null, SerfCodec.ReadMembers, cancellationToken);

    /// <summary>Members matching anchored regular expressions on tags, status and name; null means no filter.</summary>
    public Task<IReadOnlyList<SerfMember>> MembersFilteredAsync(
        IReadOnlyDictionary<string, string>? tags = null, string? status = null, string? name = null, CancellationToken cancellationToken = default) =>
        CommandAsync<IReadOnlyList<SerfMember>>(
            SerfCommands.MembersFiltered,
            SerfRequests.MembersFiltered(tags, status, name),
            SerfCodec.ReadMembers,
            cancellationToken);

    /// <summary>Joins other agents ("host[:port]"); returns how many were joined.</summary>
    public Task<int> JoinAsync(IReadOnlyList<string> addresses, bool replay = false, CancellationToken cancellationToken = default) =>
        CommandAsync<int>(SerfCommands.Join, SerfRequests.Join(addresses, replay), f => SerfCodec.ReadJoinCount(f), cancellationToken);

    /// <summary>Moves a failed node to left; with <paramref name="prune"/>, removes it from the member list.</summary>
    public Task ForceLeaveAsync(string node, bool prune = false, CancellationToken cancellationToken = default) =>
        CommandAsync<object>(SerfCommands.ForceLeave, SerfRequests.ForceLeave(node, prune), null, cancellationToken);

    /// <summary>Deletes then sets this agent's tags, and gossips the change (a member-update elsewhere).</summary>
    public Task SetTagsAsync(IReadOnlyDictionary<string, string> tags, IReadOnlyList<string>? deleteTags = null, CancellationToken cancellationToken = default) =>
        CommandAsync<object>(SerfCommands.Tags, SerfRequests.Tags(tags, deleteTags), null, cancellationToken);

    /// <summary>Fires a user event.</summary>
    public Task UserEventAsync(string name, ReadOnlyMemory<byte> payload, bool coalesce = true, CancellationToken cancellationToken = default) =>
        CommandAsync<object>(SerfCommands.Event, SerfRequests.Event(name, payload, coalesce), null, cancellationToken);

    /// <summary>Makes the agent leave the cluster gracefully. The agent then SHUTS DOWN: a balancer never calls this.</summary>
    public Task LeaveAsync(CancellationToken cancellationToken = default) =>
        CommandAsync<object>(SerfCommands.Leave, null, null, cancellationToken);

    public Task<SerfKeyResponse> InstallKeyAsync(string key, CancellationToken cancellationToken = default) => KeyCommandAsync(SerfCommands.InstallKey, key, cancellationToken);

    public Task<SerfKeyResponse> UseKeyAsync(string key, CancellationToken cancellationToken = default) => KeyCommandAsync(SerfCommands.UseKey, key, cancellationToken);

    public Task<SerfKeyResponse> RemoveKeyAsync(string key, CancellationToken cancellationToken = default) => KeyCommandAsync(SerfCommands.RemoveKey, key, cancellationToken);

    public Task<SerfKeyResponse> ListKeysAsync(CancellationToken cancellationToken = default) => KeyCommandAsync(SerfCommands.ListKeys, null, cancellationToken);

    /// <summary>The agent's statistics: sections (agent, runtime, serf, tags, event_handlers) of string values.</summary>
    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> StatsAsync(CancellationToken cancellationToken = default) =>
        CommandAsync<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>(SerfCommands.Stats, null, SerfCodec.ReadStats, cancellationToken);

    /// <summary>A node's network coordinate, or null when the agent has none for it.</summary>
    public Task<SerfCoordinate?> GetCoordinateAsync(string node, CancellationToken cancellationToken = default) =>
        CommandAsync<SerfCoordinate?>(SerfCommands.GetCoordinate, SerfRequests.GetCoordinate(node), SerfCodec.ReadCoordinate, cancellationToken);

    /// <summary>
    /// Subscribes to events ("member-join,user:deploy,query", "" for all) on a connection of its own. Start the
    /// stream, then read <see cref="MembersAsync"/>, then apply events on top: streams carry no initial state.
    /// </summary>
    public Task<SerfSubscription<SerfEvent>> StreamAsync(string filter = "*", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException("event filters are comma-separated without spaces", nameof(filter));
        }

        return SerfSubscription<SerfEvent>.StartAsync(
            _options, SerfCommands.Stream, SerfRequests.Stream(filter), SerfCodec.ReadEvent, attempt => new SerfStreamResumed(attempt), cancellationToken);
    }

    /// <summary>Streams the agent's log lines at <paramref name="logLevel"/> (TRACE, DEBUG, INFO, WARN, ERR), recent ones first.</summary>
    public Task<SerfSubscription<string>> MonitorAsync(string logLevel = "INFO", CancellationToken cancellationToken = default) =>
        SerfSubscription<string>.StartAsync(_options, SerfCommands.Monitor, SerfRequests.Monitor(logLevel), SerfCodec.ReadLogLine, null, cancellationToken);

    /// <summary>Issues a query and yields acks and responses until the query's deadline.</summary>
    public async IAsyncEnumerable<SerfQueryResponse> QueryAsync(
        string name, ReadOnlyMemory<byte> payload, SerfQueryOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new SerfQueryOptions();
        var responses = System.Threading.Channels.Channel.CreateUnbounded<SerfQueryResponse>();
        SerfConnection control = await ControlAsync(cancellationToken).ConfigureAwait(false);
        await control.SubscribeAsync(
            SerfCommands.Query,
            SerfRequests.Query(name, payload, options),
            record =>
            {
                SerfQueryResponse? response = SerfCodec.ReadQueryRecord(record);
                if (response is null)
                {
                    responses.Writer.TryComplete();
                    return false;
                }

                // A node always has a name: serf sends an ack or response from nobody when the query's deadline closes
                // its channels just before its "done" (seen against Debian's serf, under load).
                if (response.From.Length > 0)
                {
                    responses.Writer.TryWrite(response);
                }

                return true;
            },
            e => responses.Writer.TryComplete(e),
            cancellationToken).ConfigureAwait(false);

        await foreach (SerfQueryResponse response in responses.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return response;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_control is not null)
        {
            await _control.DisposeAsync().ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }

    private async Task<SerfKeyResponse> KeyCommandAsync(string command, string? key, CancellationToken cancellationToken) =>
        (await CommandAsync<SerfKeyResponse>(command, key is null ? null : SerfRequests.Key(key), SerfCodec.ReadKeyResponse, cancellationToken).ConfigureAwait(false))!;

    private async Task<T> CommandAsync<T>(string command, (string, object?)[]? body, Func<System.Buffers.ReadOnlySequence<byte>, T>? decode, CancellationToken cancellationToken)
    {
        SerfConnection control = await ControlAsync(cancellationToken).ConfigureAwait(false);
        return (await control.CommandAsync(command, body, decode, cancellationToken).ConfigureAwait(false))!;
    }

    // The control connection, re-opened (one attempt per call) when it has closed.
    private async Task<SerfConnection> ControlAsync(CancellationToken cancellationToken)
    {
        SerfConnection? current = _control;
        if (current is { IsClosed: false })
        {
            return current;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_control is { IsClosed: false } fresh)
            {
                return fresh;
            }

            if (_control is not null)
            {
                await _control.DisposeAsync().ConfigureAwait(false);
                _control = null;
            }

            _control = await SerfConnection.ConnectAsync(_options.Host, _options.Port, _options.AuthKey, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            return _control;
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
