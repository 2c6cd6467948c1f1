using System.Net;
using System.Net.Sockets;
using Fusis.Core.Bgp;
using Fusis.Core.Engine;
using Fusis.Core.Events;
using Fusis.Core.Model;
using Fusis.Core.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// An anycast balancer's announcements (ClusterMode anycast): it writes BIRD's configuration, announcing each VIP
/// this balancer can serve, and reloads BIRD whenever that set changes. A VIP is withdrawn here while its service has
/// no healthy destination as this balancer's own probes see it, while the balancer drains, and while etcd has not
/// answered for longer than the lease (the others may have moved on); it is announced again when that ends. Every VIP
/// stays on the interface, so what the router still sends during a withdrawal is forwarded.
/// </summary>
internal sealed partial class BgpService(BalancerEngine engine, BalancerOptions options, ClusterNode node, HealthResults health, ILogger<BgpService> logger)
    : BackgroundService
{
    /// <summary>The first line of every configuration Fusis writes: a file without it is someone else's.</summary>
    private const string Header = "# Written by Fusis";

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SessionsEvery = TimeSpan.FromSeconds(2);

    // Past this many VIPs changing at once, one event says how many.
    private const int EventsEach = 20;

    private readonly BgpSpeaker _speaker = Settings.BalancerSettings.Speaker(options);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<IPAddress, string> _withdrawn = [];
    private string? _configured;
    private volatile bool _draining;
    private volatile IReadOnlyList<IPAddress> _announced = [];
    private volatile IReadOnlyList<FusisBgpSession> _sessions = [];
    private volatile string? _problem;

    /// <summary>The VIPs this balancer announces now (as BIRD was last told).</summary>
    public IReadOnlyList<IPAddress> Announced => _announced;

    /// <summary>BIRD's BGP sessions as last read (empty while BIRD does not answer).</summary>
    public IReadOnlyList<FusisBgpSession> Sessions => _sessions;

    /// <summary>Whether the balancer drains: it announces nothing.</summary>
    public bool Draining => _draining;

    /// <summary>What last went wrong talking to BIRD; null: nothing.</summary>
    public string? Problem => _problem;

    /// <summary>Withdraws every VIP (the balancer goes on forwarding what still reaches it) until <see cref="ResumeAsync"/>.</summary>
    public async Task DrainAsync(CancellationToken cancellation)
    {
        _draining = true;
        await UpdateAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Ends a drain: the VIPs this balancer can serve are announced again.</summary>
    public async Task ResumeAsync(CancellationToken cancellation)
    {
        _draining = false;
        await UpdateAsync(cancellation).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, options.BirdConfig, string.Join(", ", _speaker.Peers), string.Join(", ", _speaker.VipRanges), _speaker.HoldTime.TotalSeconds);
        using var timer = new PeriodicTimer(Tick);
        DateTime sessionsRead = DateTime.MinValue;
        do
        {
            await UpdateAsync(stoppingToken).ConfigureAwait(false);
            if (DateTime.UtcNow - sessionsRead >= SessionsEvery)
            {
                sessionsRead = DateTime.UtcNow;
                await ReadSessionsAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task UpdateAsync(CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (_configured is null && !_draining && node.Election is { SinceEtcdAnswered.Ticks: long.MaxValue })
            {
                return; // BIRD keeps what it has until this balancer has heard from the cluster once
            }

            DesiredState state = engine.Current;
            var announced = new HashSet<IPAddress>();
            var withdrawn = new Dictionary<IPAddress, (string Service, string Reason)>();
            string? everyVip = _draining ? "the balancer drains"
                : node.Election is { } election && election.SinceEtcdAnswered > election.LeaseTtl && node.Quorum?.NobodyElseReachesEtcd() != true
                    ? $"etcd has not answered for more than the lease ({election.LeaseTtl.TotalSeconds:0.#} s), and another balancer may reach it"
                    : null;
            foreach (DesiredService service in state.Services.Where(s => !s.Key.IsFirewallMark && _speaker.VipRanges.Any(r => r.Contains(s.Key.Address))))
            {
                if ((everyVip ?? (Serves(service) ? null : "no healthy destination as this balancer sees it")) is { } reason)
                {
                    withdrawn.TryAdd(service.Key.Address, (service.Name, reason));
                }
                else
                {
                    announced.Add(service.Key.Address);
                }
            }

            // Two services on one VIP (two ports): it is announced while either can be served.
            foreach (IPAddress both in withdrawn.Keys.Where(announced.Contains).ToList())
            {
                withdrawn.Remove(both);
            }

            // Four times a second: the configuration is rendered only when the set changed (or BIRD has not taken it yet).
            if (_configured is null || _problem is not null || !announced.SetEquals(_announced))
            {
                string configuration = _speaker.ToBirdConfiguration(announced);
                if (configuration != _configured)
                {
                    await ConfigureAsync(configuration, cancellation).ConfigureAwait(false);
                    Report(state, announced, withdrawn, first: _configured is null);
                    _configured = configuration;
                }

                _announced = [.. announced.Order(Core.PlainAddress.Order)];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException or BirdCommandException)
        {
            Failed(e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Whether a destination takes new connections here: weight above 0 in the shared state (not down, not draining)
    // and not held down by this balancer's own probes.
    private bool Serves(DesiredService service) =>
        service.KernelDestinations.Any(d => d.Weight > 0 && health.IsDown(service.Key, new IPEndPoint(d.Address, d.Port)) is not true);

    // Writes the file whole (a temporary file renamed over it), keeping once a file Fusis did not write, then reloads BIRD.
    private async Task ConfigureAsync(string configuration, CancellationToken cancellation)
    {
        string path = Path.GetFullPath(options.BirdConfig);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path) && !File.ReadLines(path).FirstOrDefault("").StartsWith(Header, StringComparison.Ordinal))
        {
            string kept = File.Exists(path + ".before-fusis") ? $"{path}.before-fusis-{DateTime.UtcNow:yyyyMMddHHmmss}" : path + ".before-fusis";
            File.Copy(path, kept);
            LogKept(logger, path, kept);
        }

        string temporary = path + ".fusis-new";
        await File.WriteAllTextAsync(temporary, configuration, cancellation).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
        using BirdControl bird = await BirdControl.ConnectAsync(options.BirdSocket, cancellation).ConfigureAwait(false);
        await bird.ConfigureAsync(path, cancellation).ConfigureAwait(false);
        if (_problem is not null)
        {
            LogBirdAnswers(logger, options.BirdSocket);
            _problem = null;
        }
    }

    // An event for each VIP announced again or withdrawn for a new reason (one for all, past a few); the first
    // configuration is one line.
    private void Report(DesiredState state, HashSet<IPAddress> announced, Dictionary<IPAddress, (string Service, string Reason)> withdrawn, bool first)
    {
        if (first)
        {
            LogFirst(logger, announced.Count, withdrawn.Count);
        }

        var again = announced.Where(_withdrawn.ContainsKey).ToList();
        var newly = withdrawn.Where(w => _withdrawn.GetValueOrDefault(w.Key) != w.Value.Reason).ToList();
        bool each = again.Count + newly.Count <= EventsEach;
        foreach (IPAddress address in again)
        {
            _withdrawn.Remove(address, out string? was);
            if (each)
            {
                string service = state.Services.First(s => s.Key.Address.Equals(address)).Name;
                engine.Events.Append(FusisEventType.VipAnnounced, service, null, node.Name, $"{address} announced again by {node.Name} ({was} no more)");
                LogVip(logger, address.ToString(), "announced again");
            }
        }

        foreach ((IPAddress address, (string service, string reason)) in newly)
        {
            _withdrawn[address] = reason;
            if (each)
            {
                engine.Events.Append(FusisEventType.VipWithdrawn, service, null, node.Name, $"{address} withdrawn by {node.Name}: {reason}");
                LogVip(logger, address.ToString(), $"withdrawn: {reason}");
            }
        }

        if (!each)
        {
            engine.Events.Append(FusisEventType.VipAnnounced, null, null, node.Name, $"{again.Count} VIPs announced again by {node.Name}");
            engine.Events.Append(FusisEventType.VipWithdrawn, null, null, node.Name, $"{newly.Count} VIPs withdrawn by {node.Name} ({newly.FirstOrDefault().Value.Reason}, ...)");
            LogMany(logger, again.Count, newly.Count);
        }

        foreach (IPAddress gone in _withdrawn.Keys.Where(a => !withdrawn.ContainsKey(a)).ToList())
        {
            _withdrawn.Remove(gone);
        }
    }

    private async Task ReadSessionsAsync(CancellationToken cancellation)
    {
        try
        {
            using BirdControl bird = await BirdControl.ConnectAsync(options.BirdSocket, cancellation).ConfigureAwait(false);
            _sessions = await bird.GetBgpSessionsAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or BirdCommandException)
        {
            _sessions = [];
            Failed(e.Message);
        }
    }

    // Logged once per distinct problem: BIRD is tried again every tick.
    private void Failed(string problem)
    {
        if (_problem != problem)
        {
            LogBirdFailed(logger, problem);
        }

        _problem = problem;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "bgp: announcing through BIRD ({Config}) to {Peers}, VIPs of {Ranges}, hold time {Hold} s")]
    private static partial void LogStarted(ILogger logger, string config, string peers, string ranges, double hold);

    [LoggerMessage(Level = LogLevel.Information, Message = "bgp: BIRD configured: {Announced} VIPs announced, {Withdrawn} withdrawn")]
    private static partial void LogFirst(ILogger logger, int announced, int withdrawn);

    [LoggerMessage(Level = LogLevel.Information, Message = "bgp: {Again} VIPs announced again, {Withdrawn} withdrawn")]
    private static partial void LogMany(ILogger logger, int again, int withdrawn);

    [LoggerMessage(Level = LogLevel.Information, Message = "bgp: VIP {Address} {What}")]
    private static partial void LogVip(ILogger logger, string address, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "bgp: {Path} was not written by Fusis; it is kept as {Kept}")]
    private static partial void LogKept(ILogger logger, string path, string kept);

    [LoggerMessage(Level = LogLevel.Warning, Message = "bgp: cannot configure or read BIRD: {Problem}; the routes stay as BIRD has them, trying again")]
    private static partial void LogBirdFailed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "bgp: BIRD answers again on {Socket}")]
    private static partial void LogBirdAnswers(ILogger logger, string socket);
}
