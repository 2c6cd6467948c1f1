using System.Diagnostics;
using System.Threading.Channels;
using Fusis.Core.Events;
using Fusis.Core.Nat;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Engine;

/// <summary>
/// The single writer of a host's desired state: one loop runs every read, change and reconcile in turn, so
/// API requests, timer ticks, membership events and health results never race. A change is validated whole,
/// saved atomically, then applied incrementally (only the services it touches are read and written); a change
/// the kernel refuses is undone in the store and in the kernel. Nothing outside the owned services is touched.
/// </summary>
public sealed class BalancerEngine : IAsyncDisposable
{
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IDesiredStateStore _store;
    private readonly IIpvsKernel _kernel;
    private readonly INatTables? _nat;
    private readonly Task _loop;
    private DesiredState _current;

    // The SNAT rules last written and what the tables held right after (null: not written since the engine started);
    // and whether Fusis's tables may exist (rules were written, or the loaded state needed some). While they cannot,
    // a state without SNAT runs no nft at all: hosts that never use SNAT need no nftables, and a change costs no
    // process start.
    private IReadOnlyList<SnatRule>? _natWritten;
    private string? _natRead;
    private bool _natMayExist;

    // The SNAT rules of the last state asked for: a change that touches no service with SNAT reuses them.
    private Tuple<DesiredState, IReadOnlyList<SnatRule>>? _rulesOf;

    private BalancerEngine(IDesiredStateStore store, IIpvsKernel kernel, INatTables? nat, DesiredState current, EventLog events)
    {
        _store = store;
        _kernel = kernel;
        _nat = nat;
        _current = current;
        Events = events;
        _natMayExist = RulesFor(current).Count > 0;
        _loop = Task.Run(RunLoopAsync);
    }

    /// <summary>The desired state in force (an immutable snapshot).</summary>
    public DesiredState Current => Volatile.Read(ref _current);

    public EngineCounters Counters { get; } = new();

    /// <summary>What changed, and why: every change the engine applied, and each service a reconcile repaired.</summary>
    public EventLog Events { get; }

    /// <summary>Where the desired state is kept.</summary>
    public string StoreDescription => _store.Description;

    /// <summary>
    /// Loads the store (a corrupt or foreign file is an error, never a reset) and starts the loop. The engine owns
    /// the store from then on (it is the only writer) and disposes it when it stops.
    /// </summary>
    /// <param name="store">Where the desired state is kept.</param>
    /// <param name="kernel">The IPVS table it converges.</param>
    /// <param name="nat">Fusis's SNAT tables; none: services that need SNAT are refused (NatUnavailable).</param>
    /// <param name="events">Where its events go; none: a log of its own.</param>
    /// <param name="serviceRule">The balancer's own rule for the services it changes (<see cref="ServiceRule"/>).</param>
    /// <exception cref="DesiredStateException">The store cannot be used.</exception>
    public static BalancerEngine Start(
        IDesiredStateStore store, IIpvsKernel kernel, INatTables? nat = null, EventLog? events = null, Func<DesiredService, string?>? serviceRule = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(kernel);
        return new BalancerEngine(store, kernel, nat, store.Load(), events ?? new EventLog()) { ServiceRule = serviceRule };
    }

    /// <summary>
    /// A rule of this balancer's own that every service a change creates or edits must pass (the reason it does not;
    /// null: it does), such as <see cref="Cluster.AnycastScheduling.Problem"/>; none: the desired state's rules only.
    /// </summary>
    public Func<DesiredService, string?>? ServiceRule { get; private init; }

    /// <summary>Runs a read on the loop (the kernel client is used by the loop only).</summary>
    public Task<T> ReadAsync<T>(Func<DesiredState, IIpvsKernel, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return RunAsync(() => read(_current, _kernel));
    }

    /// <summary>
    /// Changes the desired state: <paramref name="edit"/> gets the state in force (and the kernel, to look) and
    /// returns the next one, or throws to refuse. On a dry run nothing is saved or written. When another balancer of
    /// a cluster changed the shared state first, the edit is made again on top of its change.
    /// </summary>
    /// <param name="edit">The change.</param>
    /// <param name="dryRun">Plan only.</param>
    /// <param name="asLeader">A decision only a cluster's leader makes (membership, health): refused elsewhere.</param>
    /// <param name="reason">Why, for the events it makes (a check's result, a Serf event, a request).</param>
    /// <exception cref="DesiredStateException">The next state is invalid, or cannot be saved; nothing was changed.</exception>
    public Task<EngineChange> ChangeAsync(Func<DesiredState, IIpvsKernel, DesiredState> edit, bool dryRun = false, bool asLeader = false, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return RunAsync(() => Retrying(() => Change(edit(_current, _kernel), NoKeys, dryRun, asLeader, reason)));
    }

    /// <summary>
    /// As <see cref="ChangeAsync(Func{DesiredState, IIpvsKernel, DesiredState}, bool, bool, string)"/>, and also converges the keys
    /// the edit names in the kernel, changed or not (an import, a DSC set).
    /// </summary>
    public Task<EngineChange> ChangeAsync(
        Func<DesiredState, IIpvsKernel, (DesiredState Next, IReadOnlySet<IpvsServiceKey> Converge)> edit, bool dryRun = false, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return RunAsync(() => Retrying(() =>
        {
            (DesiredState next, IReadOnlySet<IpvsServiceKey> converge) = edit(_current, _kernel);
            return Change(next, converge, dryRun, asLeader: false, reason);
        }));
    }

    /// <summary>
    /// Takes the shared desired state another balancer changed (<paramref name="pull"/> gives it, or null when nothing
    /// changed) and converges the services it touches. Nothing is written back: a service the kernel refuses here is
    /// counted and retried by the next reconcile. Services gone from it are retired (deleted from this kernel).
    /// </summary>
    /// <exception cref="DesiredStateException">The shared state is invalid; the state in force stays.</exception>
    public Task<EngineChange?> AdoptAsync(Func<DesiredState?> pull)
    {
        ArgumentNullException.ThrowIfNull(pull);
        return RunAsync(() => pull() is { } shared ? Adopt(shared) : null);
    }

    /// <summary>Converges only <paramref name="keys"/> to the desired state in force (two reads per key); saves nothing.</summary>
    public Task<EngineChange> ConvergeAsync(IReadOnlySet<IpvsServiceKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return RunAsync(() =>
        {
            IReadOnlyList<IpvsOperation> plan = PlanFor(_current, keys);
            IReadOnlyList<IpvsOperationResult> results = plan.Count == 0 ? [] : _kernel.Apply(plan);
            Counters.Applied(results);
            return new EngineChange(plan, results, DryRun: false, _current);
        });
    }

    /// <summary>
    /// Rewrites Fusis's SNAT tables whole from the desired state in force, whatever they hold now: exactly its rules,
    /// or no tables when no service needs SNAT. True when it wrote.
    /// </summary>
    /// <exception cref="FusisException">NatUnavailable: the rules cannot be written.</exception>
    public Task<bool> RewriteNatAsync() => RunAsync(() =>
    {
        (_natWritten, _natRead, _natMayExist) = (null, null, true);
        return _nat is null
            ? RulesFor(_current).Count == 0 ? false : throw new FusisException(FusisErrorCode.NatUnavailable, "this engine has no nftables, which SNAT needs")
            : ConvergeNat(RulesFor(_current), readBack: true);
    });

    /// <summary>A full reconcile: one dump of the services and one of each owned service's destinations.</summary>
    public Task<ReconcileResult> ReconcileAsync() => RunAsync(() =>
    {
        var clock = Stopwatch.StartNew();
        ReconcileResult result = Reconciler.Reconcile(_current, _kernel);
        Counters.Applied(result.Results);
        AnnounceRepairs(result.Results);
        if (result.RetiredGone.Count > 0)
        {
            Save(_current.Forget(result.RetiredGone.ToHashSet()));
        }

        try
        {
            result = result with { NatRewritten = ConvergeNat(RulesFor(_current), readBack: true) };
        }
        catch (FusisException e)
        {
            result = result with { NatProblem = e.Message };
        }

        Counters.Reconciled(clock.Elapsed);
        return result;
    });

    /// <summary>Stops the loop after the work already queued, then releases the store (its lock).</summary>
    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _store.Dispose();
    }

    private static readonly IReadOnlySet<IpvsServiceKey> NoKeys = new HashSet<IpvsServiceKey>();

    private static readonly TimeSpan ConflictPatience = TimeSpan.FromSeconds(60);

    // A change that lost the race to another balancer is made again on the state that won, after a short random
    // pause that grows with each loss, so that writers hammering the same state take turns instead of colliding.
    private EngineChange Retrying(Func<EngineChange> change)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return change();
            }
            catch (DesiredStateConflictException e)
            {
                Counters.Conflicted();
                if (clock.Elapsed > ConflictPatience)
                {
                    throw new DesiredStateUnavailableException($"other balancers kept changing the shared desired state for {clock.Elapsed.TotalSeconds:0} s ({attempt} attempts); nothing was changed, try again", e);
                }

                Thread.Sleep(Random.Shared.Next(0, Math.Min(250, 10 * attempt)));
                Adopt(_store.Load());
            }
        }
    }

    private EngineChange? Adopt(DesiredState shared)
    {
        DesiredState previous = _current;
        var kept = shared.Services.Select(s => s.Key).ToHashSet();
        DesiredState next = shared with
        {
            Retired = previous.Retired.Concat(shared.Retired).Concat(previous.Services.Select(s => s.Key)).Where(k => !kept.Contains(k)).Distinct().ToList(),
        };
        if (next.Equals(previous))
        {
            return null;
        }

        if (next.Validate() is { Count: > 0 } problems)
        {
            throw new DesiredStateException("the shared desired state is invalid; this balancer keeps the state it has", problems);
        }

        var affected = DesiredState.Changed(previous, next);
        Counters.Adopt();
        Save(next);
        IReadOnlyList<IpvsOperation> plan = PlanFor(next, affected);
        IReadOnlyList<IpvsOperationResult> results = plan.Count == 0 ? [] : _kernel.Apply(plan);
        Counters.Applied(results);
        try
        {
            ConvergeNat(RulesFor(next), readBack: false);
        }
        catch (FusisException)
        {
            // Repaired (or reported) by the next reconcile, which reads the tables back.
        }

        ForgetDeleted(next, affected, plan, results);
        StateEvents.Append(Events, previous, next, affected, "the cluster's shared state changed (another balancer, or its leader's decision)");
        return new EngineChange(plan, results, DryRun: false, _current);
    }

    // One event for each service whose kernel state a reconcile found drifted and repaired.
    private void AnnounceRepairs(IReadOnlyList<IpvsOperationResult> results)
    {
        foreach (var repaired in results.Where(r => r.Succeeded).GroupBy(r => r.Operation.ServiceKey))
        {
            string name = _current.Services.FirstOrDefault(s => s.Key == repaired.Key)?.Name ?? repaired.Key.ToString();
            var operations = repaired.Select(r => r.Operation.ToString()).ToList();
            Events.Append(FusisEventType.DriftRepaired, name, null, null,
                $"the kernel differed from the desired state: {operations.Count} operation(s): {string.Join("; ", operations.Take(5))}{(operations.Count > 5 ? "; ..." : string.Empty)}");
        }
    }

    private void ForgetDeleted(DesiredState next, IReadOnlySet<IpvsServiceKey> affected, IReadOnlyList<IpvsOperation> plan, IReadOnlyList<IpvsOperationResult> results)
    {
        var deleted = results.Where(r => r.Operation.Kind == IpvsOperationKind.DeleteService && !OperationOutcome.Refused(r)).Select(r => r.Operation.ServiceKey).ToHashSet();
        var gone = next.Retired.Where(k => affected.Contains(k) && (deleted.Contains(k) || !plan.Any(o => o.ServiceKey == k))).ToHashSet();
        if (gone.Count > 0)
        {
            Save(next.Forget(gone));
        }
    }

    private EngineChange Change(DesiredState next, IReadOnlySet<IpvsServiceKey> converge, bool dryRun, bool asLeader, string? reason)
    {
        DesiredState previous = _current;
        bool same = next.Equals(previous);
        if (same && converge.Count == 0)
        {
            return new EngineChange([], [], dryRun, previous);
        }

        var affected = new HashSet<IpvsServiceKey>(same ? [] : DesiredState.Changed(previous, next));
        if (!same && next.Validate(valid: previous) is var problems
            && (ServiceRule is not { } rule ? problems : [.. problems, .. affected.Select(next.Find).OfType<DesiredService>().Select(rule).OfType<string>()]) is { Count: > 0 } all)
        {
            throw new DesiredStateException("the change would make the desired state invalid; nothing was changed", all);
        }

        affected.UnionWith(converge);
        IReadOnlyList<IpvsOperation> plan = PlanFor(next, affected);
        IReadOnlyList<SnatRule> rules = RulesFor(next);
        if (rules.Count > 0)
        {
            // Refused before anything is written when the rules cannot be (no nft, no nf_tables).
            (_nat ?? throw new FusisException(FusisErrorCode.NatUnavailable, "this engine has no nftables, which SNAT needs; nothing was changed")).EnsureAvailable();
        }

        if (dryRun)
        {
            return new EngineChange(plan, [], DryRun: true, previous);
        }

        if (!same)
        {
            Save(next, asLeader);
        }

        IReadOnlyList<IpvsOperationResult> results = plan.Count == 0 ? [] : _kernel.Apply(plan);
        Counters.Applied(results);
        void Undo()
        {
            // The previous state back in the store, the touched services back as they were, and the services this
            // change created deleted (only those: a key it failed to create may be someone else's).
            if (!same)
            {
                Save(previous);
            }

            var created = results.Where(r => r.Succeeded && r.Operation.Kind == IpvsOperationKind.AddService).Select(r => r.Operation.ServiceKey);
            IReadOnlyList<IpvsOperation> undo = PlanFor(previous with { Retired = [.. previous.Retired, .. created] }, affected);
            Counters.Applied(undo.Count == 0 ? [] : _kernel.Apply(undo));
        }

        if (results.Any(OperationOutcome.Refused))
        {
            Undo();
            return new EngineChange(plan, results, DryRun: false, previous);
        }

        try
        {
            ConvergeNat(rules, readBack: false);
        }
        catch (FusisException)
        {
            Undo();
            ConvergeNat(RulesFor(previous), readBack: false);
            throw;
        }

        ForgetDeleted(next, affected, plan, results);
        StateEvents.Append(Events, previous, next, affected, reason ?? "a change");
        return new EngineChange(plan, results, DryRun: false, _current);
    }

    // Few keys: two requests each; many (an import): one dump of the services and one of each affected one's destinations.
    private IReadOnlyList<IpvsOperation> PlanFor(DesiredState state, IReadOnlySet<IpvsServiceKey> affected) =>
        affected.Count == 0 ? []
        : Planner.Plan(state.Subset(affected), affected.Count <= 64 ? KernelTable.ReadServices(_kernel, affected) : KernelTable.Read(_kernel, affected.Contains));

    private IReadOnlyList<SnatRule> RulesFor(DesiredState state)
    {
        IReadOnlyList<SnatRule> rules = _rulesOf is { } last ? SnatRule.For(state, last.Item1, last.Item2) : SnatRule.For(state);
        _rulesOf = Tuple.Create(state, rules);
        return rules;
    }

    // Rewrites Fusis's SNAT tables when the rules differ from those last written, or (readBack) when the tables no
    // longer hold what they held after that write; true when it wrote. No rules and no tables of ours: nothing to do.
    private bool ConvergeNat(IReadOnlyList<SnatRule> rules, bool readBack)
    {
        if (_nat is null)
        {
            return false;
        }

        if (rules.Count == 0 && !_natMayExist)
        {
            return false;
        }

        bool written = _natWritten is not null && _natWritten.SequenceEqual(rules);
        if (written && !readBack)
        {
            return false;
        }

        if (!written && rules.Count > 0)
        {
            return WriteNat(rules);
        }

        if (rules.Count == 0 && !NatAvailable())
        {
            return false;
        }

        string? now = _nat.Read();
        if (written ? now == _natRead : now is null)
        {
            (_natWritten, _natRead, _natMayExist) = (rules, now, now is not null);
            return false;
        }

        return WriteNat(rules);
    }

    private bool WriteNat(IReadOnlyList<SnatRule> rules)
    {
        _nat!.Apply(rules);
        (_natWritten, _natRead, _natMayExist) = (rules, _nat.Read(), rules.Count > 0);
        Counters.NatWritten();
        return true;
    }

    private bool NatAvailable()
    {
        try
        {
            _nat!.EnsureAvailable();
            return true;
        }
        catch (FusisException)
        {
            return false;
        }
    }

    private void Save(DesiredState state, bool asLeader = false)
    {
        if (asLeader)
        {
            _store.SaveAsLeader(state);
        }
        else
        {
            _store.Save(state);
        }

        Counters.Saved();
        Volatile.Write(ref _current, state);
    }

    private Task<T> RunAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        }))
        {
            completion.SetException(new ObjectDisposedException(nameof(BalancerEngine), "the balancer engine has stopped"));
        }

        return completion.Task;
    }

    private async Task RunLoopAsync()
    {
        await foreach (Action item in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            item();
        }
    }
}
