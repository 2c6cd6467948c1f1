using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fusis.Etcd;

/// <summary>
/// A connection to an etcd cluster (one or more client endpoints, tried in turn): ranges, transactions, leases and
/// watches. Every request has a deadline; a failure to reach etcd is an <see cref="EtcdUnavailableException"/>, and
/// the next request starts from the endpoint after the one that failed. Thread-safe.
/// </summary>
public sealed class EtcdConnection : IDisposable
{
    private readonly GrpcChannel[] _channels;
    private int _current;

    private EtcdConnection(IReadOnlyList<Uri> endpoints, TimeSpan requestTimeout)
    {
        Endpoints = endpoints;
        RequestTimeout = requestTimeout;
        _channels = endpoints.Select(uri => GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = requestTimeout,
                // A connect of its own keeps gRPC's subchannel layer out (it is used only when it may set this): in
                // the lab one balancer's channel stayed failing after etcd came back, the way grpc-dotnet #2734
                // describes. Without it, the handler connects again for the next call after a failure, and the
                // callers pace their own retries.
                ConnectCallback = ConnectAsync,
                // A cut link (no reset) is noticed by pings, so a watch on it fails instead of hanging.
                KeepAlivePingDelay = TimeSpan.FromSeconds(2),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(2),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
            },
            DisposeHttpClient = true,
        })).ToArray();
    }

    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The deadline of each request (a watch's is its own).</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>The endpoints as given, for messages.</summary>
    public string Description => string.Join(",", Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    /// <summary>Parses "http://host:port,host:port" (no scheme: http) and prepares a channel to each; connects lazily.</summary>
    /// <exception cref="FormatException">An endpoint is not host:port or an http(s) URL.</exception>
    public static EtcdConnection Open(string endpoints, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var uris = new List<Uri>();
        foreach (string part in endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string text = part.Contains("://", StringComparison.Ordinal) ? part : "http://" + part;
            uris.Add(Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" && uri.Port > 0 && uri.AbsolutePath == "/"
                ? uri
                : throw new FormatException($"etcd endpoint '{part}' is not host:port or http://host:port"));
        }

        return uris.Count > 0 ? new EtcdConnection(uris, requestTimeout) : throw new FormatException("no etcd endpoint was given");
    }

    /// <summary>Every key under <paramref name="prefix"/>, in key order, at one revision.</summary>
    public EtcdRange Range(string prefix) => Call(channel =>
    {
        RangeResponse response = new KV.KVClient(channel).Range(new RangeRequest { Key = Bytes(prefix), RangeEnd = PrefixEnd(prefix) }, Options());
        return new EtcdRange(response.Header.Revision, response.Kvs.Select(ToKeyValue).ToList());
    });

    /// <summary>
    /// Makes <paramref name="writes"/> if every one of <paramref name="compares"/> holds; otherwise reads
    /// <paramref name="readOnFailure"/> (keys or prefixes ending in '/') so the caller sees what it lost to.
    /// </summary>
    public EtcdTxnResult Txn(IReadOnlyList<EtcdCompare> compares, IReadOnlyList<EtcdWrite> writes, IReadOnlyList<string>? readOnFailure = null)
    {
        ArgumentNullException.ThrowIfNull(compares);
        ArgumentNullException.ThrowIfNull(writes);
        var request = new TxnRequest();
        request.Compare.AddRange(compares.Select(ToCompare));
        request.Success.AddRange(writes.Select(ToRequestOp));
        request.Failure.AddRange((readOnFailure ?? []).Select(key => new RequestOp
        {
            RequestRange = new RangeRequest { Key = Bytes(key), RangeEnd = key.EndsWith('/') ? PrefixEnd(key) : ByteString.Empty },
        }));
        return Call(channel =>
        {
            TxnResponse response = new KV.KVClient(channel).Txn(request, Options());
            return new EtcdTxnResult(
                response.Succeeded,
                response.Header.Revision,
                response.Succeeded ? [] : response.Responses.Where(r => r.ResponseRange is not null).SelectMany(r => r.ResponseRange.Kvs).Select(ToKeyValue).ToList());
        });
    }

    /// <summary>A new lease of at least <paramref name="ttl"/> (etcd may grant more).</summary>
    public EtcdLease GrantLease(TimeSpan ttl) => Call(channel =>
    {
        LeaseGrantResponse response = new Lease.LeaseClient(channel).LeaseGrant(new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) }, Options());
        return response.Error is { Length: > 0 } error
            ? throw new EtcdException($"etcd refused a lease: {error}")
            : new EtcdLease(response.ID, TimeSpan.FromSeconds(response.TTL));
    });

    /// <summary>Renews <paramref name="lease"/> once; its time to live from now, or null when it has expired (or was revoked).</summary>
    public async Task<TimeSpan?> KeepAliveAsync(long lease, CancellationToken cancellationToken)
    {
        return await CallAsync(async channel =>
        {
            using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call =
                new Lease.LeaseClient(channel).LeaseKeepAlive(Options(cancellationToken));
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, cancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                // No answer is not an answer that the lease expired.
                throw new RpcException(new Status(StatusCode.Unavailable, "the keep-alive stream ended without an answer"));
            }

            return call.ResponseStream.Current.TTL > 0 ? TimeSpan.FromSeconds(call.ResponseStream.Current.TTL) : (TimeSpan?)null;
        }).ConfigureAwait(false);
    }

    /// <summary>Revokes <paramref name="lease"/>: its keys are deleted at once.</summary>
    public void RevokeLease(long lease) => Call(channel =>
    {
        try
        {
            new Lease.LeaseClient(channel).LeaseRevoke(new LeaseRevokeRequest { ID = lease }, Options());
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already expired.
        }

        return true;
    });

    /// <summary>
    /// The changes under <paramref name="prefix"/> from <paramref name="fromRevision"/> on, as they happen, until
    /// <paramref name="cancellationToken"/> is cancelled or the connection is lost (<see cref="EtcdUnavailableException"/>:
    /// watch again from the revision after the last batch). History etcd compacted gives <see cref="EtcdCompactedException"/>.
    /// </summary>
    public async IAsyncEnumerable<EtcdWatchBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        GrpcChannel channel = _channels[Volatile.Read(ref _current) % _channels.Length];
        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call = new Watch.WatchClient(channel).Watch(new CallOptions(cancellationToken: cancellationToken));
        IAsyncStreamReader<WatchResponse> responses = call.ResponseStream;
        await Guard(() => call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = Bytes(prefix), RangeEnd = PrefixEnd(prefix), StartRevision = fromRevision },
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        while (await Guard(() => responses.MoveNext(cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            WatchResponse response = responses.Current;
            if (response.CompactRevision != 0)
            {
                throw new EtcdCompactedException(response.CompactRevision);
            }

            if (response.Canceled)
            {
                throw new EtcdUnavailableException($"etcd cancelled the watch on {prefix}: {response.CancelReason}");
            }

            if (response.Events.Count > 0)
            {
                yield return new EtcdWatchBatch(
                    response.Events[^1].Kv.ModRevision,
                    response.Events.Select(e => new EtcdWatchEvent(e.Type == Mvccpb.Event.Types.EventType.Delete, ToKeyValue(e.Kv))).ToList());
            }
        }

        Rotate(channel);
        throw new EtcdUnavailableException($"etcd at {channel.Target} ended the watch on {prefix}");
    }

    public void Dispose()
    {
        foreach (GrpcChannel channel in _channels)
        {
            channel.Dispose();
        }
    }

    private async Task<T> Guard<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the watch was cancelled", e, cancellationToken);
        }
        catch (RpcException e)
        {
            Rotate(_channels[Volatile.Read(ref _current) % _channels.Length]);
            throw new EtcdUnavailableException($"lost the watch on etcd ({Description}): {e.Status.Detail}", e);
        }
    }

    private async Task Guard(Func<Task> call, CancellationToken cancellationToken) => await Guard(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    }, cancellationToken).ConfigureAwait(false);

    private CallOptions Options(CancellationToken cancellationToken = default) =>
        new(deadline: DateTime.UtcNow + RequestTimeout, cancellationToken: cancellationToken);

    // One attempt per endpoint, starting at the one that answered last.
    private T Call<T>(Func<GrpcChannel, T> request) =>
        CallAsync(channel => Task.FromResult(request(channel))).GetAwaiter().GetResult();

    private async Task<T> CallAsync<T>(Func<GrpcChannel, Task<T>> request)
    {
        RpcException? last = null;
        for (int attempt = 0; attempt < _channels.Length; attempt++)
        {
            GrpcChannel channel = _channels[Volatile.Read(ref _current) % _channels.Length];
            try
            {
                return await request(channel).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
            {
                last = e;
                Rotate(channel);
            }
            catch (RpcException e)
            {
                throw new EtcdException($"etcd ({channel.Target}) refused the request: {e.Status.Detail}", e);
            }
        }

        throw new EtcdUnavailableException($"etcd ({Description}) does not answer: {last!.Status.StatusCode} {last.Status.Detail}", last);
    }

    private void Rotate(GrpcChannel failed)
    {
        int index = Array.IndexOf(_channels, failed);
        Interlocked.CompareExchange(ref _current, (index + 1) % _channels.Length, index);
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    // The first key after every key that starts with the prefix: etcd's range end for "all keys with this prefix".
    private static ByteString PrefixEnd(string prefix)
    {
        byte[] end = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }

    private static EtcdKeyValue ToKeyValue(Mvccpb.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.Memory, kv.CreateRevision, kv.ModRevision, kv.Lease);

    private static Compare ToCompare(EtcdCompare compare)
    {
        var result = new Compare { Key = Bytes(compare.Key), Result = Compare.Types.CompareResult.Equal };
        switch (compare.Target)
        {
            case EtcdCompareTarget.ModRevision:
                result.Target = Compare.Types.CompareTarget.Mod;
                result.ModRevision = compare.Revision;
                break;
            case EtcdCompareTarget.CreateRevision:
                result.Target = Compare.Types.CompareTarget.Create;
                result.CreateRevision = compare.Revision;
                break;
            default:
                result.Target = Compare.Types.CompareTarget.Value;
                result.Value = ByteString.CopyFrom(compare.Value.Span);
                break;
        }

        return result;
    }

    private static RequestOp ToRequestOp(EtcdWrite write) => write.Value is { } value
        ? new RequestOp { RequestPut = new PutRequest { Key = Bytes(write.Key), Value = ByteString.CopyFrom(value.Span), Lease = write.Lease } }
        : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(write.Key) } };
}
