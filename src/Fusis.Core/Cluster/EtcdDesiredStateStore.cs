using System.Globalization;
using System.Text;
using System.Text.Json;
using Fusis.Core.State;
using Fusis.Etcd;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Cluster;

/// <summary>
/// The desired state of a cluster of balancers, in etcd (layout: <see cref="ClusterKeys"/>), with this host's state
/// file as its cache: a balancer started while etcd is down serves the last state it knew. A save writes only the
/// services that changed, in one transaction that compares the revision key, so no writer's change is lost to
/// another's (a lost race is a <see cref="DesiredStateConflictException"/>: nothing written). Changes other balancers
/// make arrive through <see cref="Apply"/> (fed by a watch). Used by one engine's loop at a time.
/// </summary>
public sealed class EtcdDesiredStateStore : IDesiredStateStore
{
    private readonly EtcdConnection _etcd;
    private readonly FileDesiredStateStore _cache;
    private readonly string _node;

    // The shared state as this store last read or wrote it, by key.
    private readonly SortedDictionary<string, DesiredService> _services = new(StringComparer.Ordinal);
    private SnatSetting _defaultSnat = SnatSetting.Off;
    private long _stateRevision;
    private long _revision;
    private bool _stale = true;
    private bool _unreachable;
    private DesiredState _cached = DesiredState.Empty;
    private bool _cacheLoaded;

    public EtcdDesiredStateStore(EtcdConnection etcd, ClusterKeys keys, string node, FileDesiredStateStore cache)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(cache);
        _etcd = etcd;
        Keys = keys;
        _node = node;
        _cache = cache;
    }

    public ClusterKeys Keys { get; }

    public string Description => $"etcd {_etcd.Description} {Keys.State} (cache {_cache.Path})";

    /// <summary>The etcd revision the state was last read or written at; a watch resumes after it. 0: not read yet.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    /// <summary>False while the state in force is the cache's (etcd was not reachable when it was loaded, or a write's outcome is unknown).</summary>
    public bool Current => !Volatile.Read(ref _stale);

    /// <summary>
    /// The leadership this balancer holds (the leader key's create revision), set by the election; 0: none. Saves
    /// made as leader are fenced by it.
    /// </summary>
    public long LeaderTerm
    {
        get => Interlocked.Read(ref _leaderTerm);
        set => Interlocked.Exchange(ref _leaderTerm, value);
    }

    private long _leaderTerm;

    /// <summary>Shared values that could not be read (each left out, the last good one kept); for the log.</summary>
    public event Action<string>? Problem;

    /// <summary>
    /// The shared state from etcd, with the services this host's cache still has but etcd no longer does retired (so
    /// their kernel services go). Etcd unreachable: the cache's state, and saves conflict until a load reaches etcd.
    /// </summary>
    public DesiredState Load() => Load(seed: true);

    public void Save(DesiredState state) => Save(state, asLeader: false);

    public void SaveAsLeader(DesiredState state) => Save(state, asLeader: true);

    /// <summary>
    /// Takes a watch's changes made after <see cref="Revision"/> (older ones, this store's own writes among them, are
    /// skipped); the shared state when it changed, else null.
    /// </summary>
    public DesiredState? Apply(EtcdWatchBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        bool changed = false;
        foreach (EtcdWatchEvent e in batch.Events.Where(e => e.KeyValue.ModRevision > Revision))
        {
            changed |= Take(e.KeyValue, e.Deleted);
        }

        if (batch.Revision > Revision)
        {
            Interlocked.Exchange(ref _revision, batch.Revision);
        }

        return changed ? WithRetired(Shared()) : null;
    }

    public void Dispose() => _cache.Dispose();

    private DesiredState Load(bool seed)
    {
        // The cache is read once; every save keeps the copy in memory current.
        if (!_cacheLoaded)
        {
            _cached = _cache.Load();
            _cacheLoaded = true;
        }

        EtcdRange range;
        try
        {
            range = _etcd.Range(Keys.State);
        }
        catch (EtcdException e)
        {
            if (!_unreachable)
            {
                Problem?.Invoke($"cannot read the shared state from etcd ({e.Message}); serving the cached state of {_cache.Path}");
            }

            Volatile.Write(ref _stale, true);
            _unreachable = true;
            return _cached;
        }

        _services.Clear();
        _defaultSnat = SnatSetting.Off;
        _stateRevision = 0;
        foreach (EtcdKeyValue item in range.Items)
        {
            Take(item, deleted: false);
        }

        Interlocked.Exchange(ref _revision, range.Revision);
        Volatile.Write(ref _stale, false);
        _unreachable = false;
        if (seed && _stateRevision == 0 && _cached.Services.Count > 0)
        {
            // A cluster that never had a state starts from the first balancer's own (a single host joining a
            // cluster keeps its services); the revision key's absence is compared, so only one balancer seeds it.
            try
            {
                Save(_cached);
            }
            catch (DesiredStateException e)
            {
                Problem?.Invoke($"could not seed the shared state from {_cache.Path}: {e.Message}");
                return Load(seed: false);
            }

            return _cached;
        }

        return WithRetired(Shared());
    }

    private void Save(DesiredState state, bool asLeader)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Volatile.Read(ref _stale) && !(state.DefaultSnat == _cached.DefaultSnat && state.Services.SequenceEqual(_cached.Services)))
        {
            throw Stale();
        }

        var writes = new List<EtcdWrite>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (DesiredService service in state.Services)
        {
            string key = Keys.Service(service.Name);
            names.Add(key);
            if (!_services.TryGetValue(key, out DesiredService? known) || known != service)
            {
                writes.Add(EtcdWrite.Put(key, JsonSerializer.SerializeToUtf8Bytes(StateDocumentMapper.ToDocument(service), StateWriterJsonContext.Default.ServiceDocument)));
            }
        }

        writes.AddRange(_services.Keys.Where(k => !names.Contains(k)).Select(EtcdWrite.Delete));
        if (state.DefaultSnat != _defaultSnat)
        {
            writes.Add(EtcdWrite.Put(Keys.Settings, JsonSerializer.SerializeToUtf8Bytes(
                new ClusterSettingsDocument { DefaultSnat = state.DefaultSnat == SnatSetting.Off ? null : state.DefaultSnat.ToString() },
                StateWriterJsonContext.Default.ClusterSettingsDocument)));
        }

        if (writes.Count > 0)
        {
            Write(writes, asLeader);
            foreach (DesiredService service in state.Services)
            {
                _services[Keys.Service(service.Name)] = service;
            }

            foreach (string gone in _services.Keys.Where(k => !names.Contains(k)).ToList())
            {
                _services.Remove(gone);
            }

            _defaultSnat = state.DefaultSnat;
        }

        // The cache holds what this host applies (the retired keys too): a restart without etcd starts from it.
        _cache.Save(state);
        _cached = state;
    }

    private void Write(List<EtcdWrite> writes, bool asLeader)
    {
        if (Volatile.Read(ref _stale))
        {
            throw Stale();
        }

        var compares = new List<EtcdCompare> { EtcdCompare.ModifiedAt(Keys.Revision, _stateRevision) };
        if (asLeader)
        {
            long term = LeaderTerm;
            if (term == 0)
            {
                throw new DesiredStateFencedException($"balancer {_node} is not the leader; only the leader makes this change");
            }

            compares.Add(EtcdCompare.CreatedAt(Keys.Leader, term));
        }

        writes.Add(EtcdWrite.Put(Keys.Revision, Encoding.UTF8.GetBytes((_stateRevision + 1).ToString(CultureInfo.InvariantCulture))));
        EtcdTxnResult result;
        try
        {
            result = _etcd.Txn(compares, writes, asLeader ? [Keys.Leader] : []);
        }
        catch (EtcdException e)
        {
            // The outcome is unknown: the next change reads the state again before it writes.
            Volatile.Write(ref _stale, true);
            throw new DesiredStateUnavailableException(
                $"etcd did not confirm the change to the shared desired state ({e.Message}). It may still be applied if etcd received it; every balancer follows etcd either way. Read the state before you try again", e);
        }

        if (!result.Succeeded)
        {
            Volatile.Write(ref _stale, true);
            throw asLeader && !result.ReadOnFailure.Any(kv => kv.Key == Keys.Leader && kv.CreateRevision == LeaderTerm)
                ? new DesiredStateFencedException($"balancer {_node} no longer holds the leadership; nothing was written")
                : new DesiredStateConflictException("another balancer changed the shared desired state first; nothing was written");
        }

        _stateRevision = result.Revision;
        Interlocked.Exchange(ref _revision, result.Revision);
    }

    // A change on a state not read from etcd: read it again first (a conflict), unless etcd did not answer the last read.
    private DesiredStateException Stale() => _unreachable
        ? new DesiredStateUnavailableException($"the shared desired state in etcd ({_etcd.Description}) cannot be reached; nothing was changed")
        : new DesiredStateConflictException("the shared state in force was not read from etcd; it is read again first");

    // One key read or watched: a service, the settings or the revision key. True when the shared state changed.
    private bool Take(EtcdKeyValue item, bool deleted)
    {
        if (item.Key == Keys.Revision)
        {
            _stateRevision = deleted ? 0 : item.ModRevision;
            return false;
        }

        try
        {
            if (item.Key == Keys.Settings)
            {
                SnatSetting snat = deleted ? SnatSetting.Off
                    : JsonSerializer.Deserialize(item.Value.Span, StateJsonContext.Default.ClusterSettingsDocument)?.DefaultSnat is { } text
                        ? StateDocumentMapper.Snat(text, "the default SNAT")
                        : SnatSetting.Off;
                bool changed = snat != _defaultSnat;
                _defaultSnat = snat;
                return changed;
            }

            if (!item.Key.StartsWith(Keys.Services, StringComparison.Ordinal))
            {
                return false;
            }

            if (deleted)
            {
                return _services.Remove(item.Key);
            }

            DesiredService service = StateDocumentMapper.FromDocument(
                JsonSerializer.Deserialize(item.Value.Span, StateJsonContext.Default.ServiceDocument) ?? throw new FormatException("it is null"));
            if (Keys.Service(service.Name) != item.Key)
            {
                throw new FormatException($"it holds service '{service.Name}', whose key is {Keys.Service(service.Name)}");
            }

            bool different = !_services.TryGetValue(item.Key, out DesiredService? known) || known != service;
            _services[item.Key] = service;
            return different;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            Problem?.Invoke($"etcd key {item.Key} (revision {item.ModRevision}) cannot be used and is ignored: {e.Message}");
            return false;
        }
    }

    private DesiredState Shared() => new(_services.Values.ToList(), []) { DefaultSnat = _defaultSnat };

    // The cache's retired keys, and its services etcd no longer has, are still this host's to delete.
    private DesiredState WithRetired(DesiredState shared)
    {
        var kept = shared.Services.Select(s => s.Key).ToHashSet();
        List<IpvsServiceKey> retired = _cached.Retired.Concat(_cached.Services.Select(s => s.Key)).Where(k => !kept.Contains(k)).Distinct().ToList();
        return shared with { Retired = retired };
    }
}
