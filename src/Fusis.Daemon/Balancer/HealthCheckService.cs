using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// Runs every service's health check against each of its destinations (TCP connect or HTTP GET), counting
/// successes and failures in a row; a destination that fails <c>Fall</c> times goes down, one that then passes
/// <c>Rise</c> times comes back, each transition one engine change. A destination starts in the state the store
/// last recorded, so a restart does not flap; and its first probe waits up to <see cref="FirstProbeTimeout"/>: a
/// process that has just started is cold (its HTTP client not warm yet, slower still on a loaded host), and a healthy
/// destination must not go down for that. Later probes use the check's timeout.
/// </summary>
internal sealed partial class HealthCheckService(BalancerEngine engine, ClusterNode node, HealthResults results, ILogger<HealthCheckService> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a destination's first probe may take (the check's own timeout when that is longer).</summary>
    public static readonly TimeSpan FirstProbeTimeout = TimeSpan.FromSeconds(5);

    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
    });

    private readonly Dictionary<(IpvsServiceKey Service, IPEndPoint Destination), Probe> _probes = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        DesiredState? checkedIn = null;
        int[] withChecks = [];
        bool led = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            // An anycast balancer that starts leading has probed all along without writing: where its probes' view
            // differs from the shared one (a transition it saw while it followed), it writes its view once.
            bool leads = node.Leads;
            bool catchUp = leads && !led && node.Anycast;
            led = leads;
            if (!leads && !node.Anycast)
            {
                // Health is decided once, by the leader; a balancer that starts leading starts its probes afresh. In anycast
                // every balancer probes too, to withdraw the VIPs it cannot serve (the leader alone still decides for all).
                lock (_probes)
                {
                    _probes.Clear();
                }

                results.Keep(new HashSet<(IpvsServiceKey, IPEndPoint)>());
                continue;
            }

            DesiredState state = engine.Current;
            if (!ReferenceEquals(state, checkedIn))
            {
                // Ten ticks a second: where the services with a check stand is found once per state, and after an
                // in-place change from where they stood before, at the positions it changed.
                withChecks = checkedIn is not null && DesiredState.InPlaceChanges(checkedIn, state) is { } changed
                    ? [.. withChecks.Except(changed).Concat(changed.Where(at => state.Services[at].Check is not null)).Order()]
                    : [.. Enumerable.Range(0, state.Services.Count).Where(at => state.Services[at].Check is not null)];
                checkedIn = state;
            }

            long now = Stopwatch.GetTimestamp();
            var live = new HashSet<(IpvsServiceKey, IPEndPoint)>();
            var differing = new List<(DesiredService Service, IPEndPoint Destination, bool Down)>();
            foreach (DesiredService service in withChecks.Select(at => state.Services[at]))
            {
                foreach (IpvsDestination destination in service.Destinations.Where(d => service.LabelOf(d) is not { Draining: true }))
                {
                    var endPoint = new IPEndPoint(destination.Address, destination.Port);
                    var id = (service.Key, endPoint);
                    live.Add(id);
                    Probe probe;
                    lock (_probes)
                    {
                        if (!_probes.TryGetValue(id, out probe!))
                        {
                            _probes[id] = probe = new Probe(service.LabelOf(destination) is { Down: true }, service.Check!);
                            results.SetDown(service.Key, endPoint, probe.Down);
                        }
                    }

                    if (catchUp && probe.Probed && probe.Down != (service.LabelOf(destination) is { Down: true }))
                    {
                        differing.Add((service, endPoint, probe.Down));
                    }

                    if (!probe.Running && now >= probe.Due)
                    {
                        probe.Running = true;
                        probe.Due = now + (long)(service.Check!.Interval.TotalSeconds * Stopwatch.Frequency);
                        _ = RunAsync(service.Name, id, service.Check!, probe, stoppingToken);
                    }
                }
            }

            lock (_probes)
            {
                foreach (var gone in _probes.Keys.Where(k => !live.Contains(k)).ToList())
                {
                    _probes.Remove(gone);
                }
            }

            results.Keep(live);
            if (differing.Count > 0)
            {
                await WriteOwnViewAsync(differing).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteOwnViewAsync(List<(DesiredService Service, IPEndPoint Destination, bool Down)> differing)
    {
        const string Reason = "the new leader's own probes";
        try
        {
            await engine.ChangeAsync(
                (state, _) => differing.Aggregate(state, (next, d) => SetDown(next, d.Service.Key, d.Destination, d.Down)),
                asLeader: true,
                reason: Reason).ConfigureAwait(false);
            foreach ((DesiredService service, IPEndPoint destination, bool down) in differing)
            {
                LogTransition(logger, service.Name, destination.ToString(), down ? "down" : "up", Reason);
            }
        }
        catch (Exception e) when (e is Netlink.NetlinkException or DesiredStateException or ObjectDisposedException)
        {
            LogFailed(logger, differing[0].Service.Name, differing[0].Destination.ToString(), e.Message);
        }
    }

    private async Task RunAsync(string service, (IpvsServiceKey Service, IPEndPoint Destination) id, HealthCheck check, Probe probe, CancellationToken stoppingToken)
    {
        try
        {
            var target = new IPEndPoint(id.Destination.Address, check.Port != 0 ? check.Port : id.Destination.Port);
            TimeSpan timeout = probe.Probed ? check.Timeout : TimeSpan.FromTicks(Math.Max(check.Timeout.Ticks, FirstProbeTimeout.Ticks));
            HealthResult result = await ProbeAsync(check, target, timeout, stoppingToken).ConfigureAwait(false);
            results.Record(id.Service, id.Destination, result);
            probe.Probed = true;
            bool? transition = probe.Record(result.Healthy, check);
            if (transition is { } down)
            {
                results.SetDown(id.Service, id.Destination, down);
                int count = down ? check.Fall : check.Rise;
                string inARow = (down, count) switch { (true, 1) => "failure", (true, _) => "failures", (false, 1) => "success", _ => "successes" };
                string reason = $"{Core.Vocabulary.Words.CheckTypes.Word(check.Type)} check: {result.Detail} ({count} {inARow} in a row)";
                if (node.Leads)
                {
                    await engine.ChangeAsync((state, _) => SetDown(state, id.Service, id.Destination, down), asLeader: true, reason: reason).ConfigureAwait(false);
                }

                LogTransition(logger, service, id.Destination.ToString(), down ? "down" : "up", reason);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is Netlink.NetlinkException or DesiredStateException or ObjectDisposedException)
        {
            LogFailed(logger, service, id.Destination.ToString(), e.Message);
        }
        finally
        {
            probe.Running = false;
        }
    }

    // One probe, timed, with what it saw in words.
    private static async Task<HealthResult> ProbeAsync(HealthCheck check, IPEndPoint target, TimeSpan limit, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(limit);
        var clock = Stopwatch.StartNew();
        string Took() => $"{clock.Elapsed.TotalMilliseconds:0} ms";
        try
        {
            if (check.Type == HealthCheckType.Tcp)
            {
                using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
                return new HealthResult(true, $"connected in {Took()}", DateTimeOffset.UtcNow);
            }

            var uri = new UriBuilder("http", target.Address.ToString(), target.Port, check.Path).Uri;
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            return new HealthResult(status >= check.StatusMin && status <= check.StatusMax, $"HTTP {status} in {Took()}", DateTimeOffset.UtcNow);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new HealthResult(false, $"no answer within {limit.TotalMilliseconds:0} ms", DateTimeOffset.UtcNow);
        }
        catch (SocketException e)
        {
            return new HealthResult(false, $"{e.Message} after {Took()}", DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new HealthResult(false, $"{(e.InnerException ?? e).Message} after {Took()}", DateTimeOffset.UtcNow);
        }
    }

    private static DesiredState SetDown(DesiredState state, IpvsServiceKey key, IPEndPoint endPoint, bool down) => state with
    {
        Services = state.Services.Select(s => s.Key == key && s.Destinations.Any(d => d.Address.Equals(endPoint.Address) && d.Port == endPoint.Port)
            ? s.WithLabel(endPoint, label => label with { Down = down })
            : s).ToList(),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "health: {Service} destination {Destination} is {State}: {Reason}")]
    private static partial void LogTransition(ILogger logger, string service, string destination, string state, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "health: {Service} destination {Destination}: {Problem}")]
    private static partial void LogFailed(ILogger logger, string service, string destination, string problem);

    // Consecutive results of one destination's check; it starts where the store says it was.
    private sealed class Probe(bool down, HealthCheck check)
    {
        private int _successes = down ? 0 : check.Rise;
        private int _failures = down ? check.Fall : 0;

        public bool Down { get; private set; } = down;

        public volatile bool Running;

        /// <summary>Whether a probe has completed since the checker started.</summary>
        public volatile bool Probed;

        public long Due;

        /// <summary>Counts one result; returns the new Down state when it changes.</summary>
        public bool? Record(bool healthy, HealthCheck current)
        {
            lock (this)
            {
                (_successes, _failures) = healthy ? (_successes + 1, 0) : (0, _failures + 1);
                bool next = Down ? _successes < current.Rise : _failures >= current.Fall;
                if (next == Down)
                {
                    return null;
                }

                Down = next;
                return next;
            }
        }
    }
}
