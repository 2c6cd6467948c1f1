namespace Fusis.Core.Events;

/// <summary>
/// The balancer's recent events, in order, with increasing ids: a bounded history (the oldest go first) that a
/// reader resumes from the last id it saw, and learns when that id is older than the history holds. Ids start above
/// the start time in microseconds since 1970, so an id from an earlier run of the balancer is never taken for one of
/// this run's: its events are gone, and the reader is told so.
/// </summary>
public sealed class EventLog
{
    /// <summary>How many events are kept by default.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly FusisEvent[] _ring;
    private readonly TimeProvider _time;
    private readonly long _base;
    private long _last;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EventLog(int capacity = DefaultCapacity, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new FusisEvent[capacity];
        _time = time ?? TimeProvider.System;
        _base = _last = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    }

    public int Capacity => _ring.Length;

    /// <summary>The id of the newest event (below any event's id while there is none).</summary>
    public long LastId
    {
        get
        {
            lock (_ring)
            {
                return _last;
            }
        }
    }

    /// <summary>Records an event and wakes the readers waiting for one.</summary>
    public FusisEvent Append(FusisEventType type, string? service, string? destination, string? member, string reason)
    {
        FusisEvent appended;
        TaskCompletionSource woken;
        lock (_ring)
        {
            _last++;
            appended = new FusisEvent(_last, _time.GetUtcNow(), Vocabulary.Words.EventTypes.Word(type), service, destination, member, reason);
            _ring[_last % _ring.Length] = appended;
            woken = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.SetResult();
        return appended;
    }

    /// <summary>
    /// The events after <paramref name="afterId"/> (0: from the oldest kept), at most <paramref name="max"/>. Missed:
    /// events after <paramref name="afterId"/> are no longer kept (the reader was away too long, or the id is from an
    /// earlier run of the balancer); the events returned then start at the oldest kept.
    /// </summary>
    public (IReadOnlyList<FusisEvent> Events, bool Missed) Read(long afterId, int max = int.MaxValue)
    {
        lock (_ring)
        {
            long oldest = Math.Max(_base + 1, _last - _ring.Length + 1);
            bool missed = afterId != 0 && (afterId < oldest - 1 || afterId > _last);
            long first = missed || afterId == 0 ? oldest : afterId + 1;
            var events = new List<FusisEvent>();
            for (long id = first; id <= _last && events.Count < max; id++)
            {
                events.Add(_ring[id % _ring.Length]);
            }

            return (events, missed);
        }
    }

    /// <summary>Completes when <see cref="Read"/> after <paramref name="afterId"/> has something to say: at once unless it is the newest id.</summary>
    public async Task WaitAsync(long afterId, CancellationToken cancellation)
    {
        Task next;
        lock (_ring)
        {
            if (afterId != _last)
            {
                return;
            }

            next = _appended.Task;
        }

        await next.WaitAsync(cancellation).ConfigureAwait(false);
    }
}
