using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Fusis.Core.Membership;
using Fusis.Daemon.Balancer;
using Fusis.Netlink.Ipvs;
using Fusis.Serf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Agent;

/// <summary>
/// The agent on a backend: runs (and restarts) a serf agent or attaches to one, announces its services (and its
/// addresses of the other family) in tags, prepares the backend for each direct-routing and tunnel service whose VIP
/// the balancer publishes (<see cref="BackendNetwork"/>), and on stop drains: it tags itself draining, waits
/// (bounded) until the balancer routes nothing to it, leaves the cluster and undoes its network changes.
/// </summary>
internal sealed partial class AgentService(AgentOptions options, IHostApplicationLifetime lifetime, ILogger<AgentService> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    // How long the agent waits for serf to answer before it stops (systemd restarts it), and how often it says so.
    private static readonly TimeSpan SerfWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SerfReportEvery = TimeSpan.FromSeconds(10);

    private readonly BackendNetwork _network = new(logger);
    private Process? _serf;
    private SerfClient? _client;
    private string? _node;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await AnnounceAndWatchAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SerfException or IOException or SocketException or BackendNetworkException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // An expected condition: one line that says what, then the process stops saying it failed (no stack trace).
            LogFailed(logger, e.Message);
            Environment.ExitCode = BalancerHost.UnavailableExitCode;
            lifetime.StopApplication();
        }
    }

    private async Task AnnounceAndWatchAsync(CancellationToken stoppingToken)
    {
        if (options.SerfPath is not null)
        {
            StartSerf();
        }

        _client = await ConnectAsync(stoppingToken).ConfigureAwait(false);
        var stats = await _client.StatsAsync(stoppingToken).ConfigureAwait(false);
        _node = stats.TryGetValue("agent", out var agent) && agent.TryGetValue("name", out string? name) ? name : options.Node ?? Environment.MachineName;
        await _client.SetTagsAsync(Tags(), options.Addresses.Count == 0 ? [AgentTags.Draining, AgentTags.Addresses] : [AgentTags.Draining], stoppingToken).ConfigureAwait(false);
        if (options.SerfPath is null && options.Join.Count > 0)
        {
            await _client.JoinAsync(options.Join, cancellationToken: stoppingToken).ConfigureAwait(false);
        }

        LogAnnounced(logger, _node, AgentTags.Format(options.Services));
        var directServices = options.Services.Where(s => s.Mode is IpvsForwardingMethod.DirectRoute or IpvsForwardingMethod.Tunnel).ToList();
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (_serf is { HasExited: true })
            {
                LogSerfRestarted(logger, _serf.ExitCode);
                StartSerf();
                _client = await ConnectAsync(stoppingToken).ConfigureAwait(false);
            }

            if (directServices.Count > 0)
            {
                await ConfigureVipsAsync(directServices, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_client is not null && _node is not null)
        {
            try
            {
                await DrainAsync(_client, _node, cancellationToken).ConfigureAwait(false);
                await _client.LeaveAsync(cancellationToken).ConfigureAwait(false);
                LogLeft(logger, _node);
            }
            catch (Exception e) when (e is SerfException or IOException)
            {
                LogStopProblem(logger, e.Message);
            }

            await _client.DisposeAsync().ConfigureAwait(false);
        }

        if (_serf is not null)
        {
            if (!_serf.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _serf.Kill();
            }

            _serf.Dispose();
        }

        _network.Dispose();
    }

    // Tags this node draining, then asks the balancer until nothing routes to it, or the drain timeout passes.
    private async Task DrainAsync(SerfClient client, string node, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await client.SetTagsAsync(new Dictionary<string, string> { [AgentTags.Draining] = "1" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        LogDraining(logger, node);
        var query = new SerfQueryOptions
        {
            FilterTags = new Dictionary<string, string> { [AgentTags.Role] = AgentTags.BalancerRole },
            Timeout = TimeSpan.FromSeconds(1),
        };
        while (clock.Elapsed < options.DrainTimeout)
        {
            var answers = new List<int>();
            await foreach (SerfQueryResponse response in client.QueryAsync(AgentTags.DrainQuery, Encoding.UTF8.GetBytes(node), query, cancellationToken)
                .ConfigureAwait(false))
            {
                if (response.Type == SerfQueryResponseType.Response
                    && int.TryParse(Encoding.UTF8.GetString(response.Payload.Span), NumberStyles.None, CultureInfo.InvariantCulture, out int routed))
                {
                    answers.Add(routed);
                }
            }

            if (answers.Count > 0 && answers.All(a => a == 0))
            {
                LogDrained(logger, node, clock.Elapsed.TotalSeconds);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }

        LogDrainTimedOut(logger, node, options.DrainTimeout.TotalSeconds);
    }

    private async Task ConfigureVipsAsync(List<ServiceAnnouncement> services, CancellationToken stoppingToken)
    {
        IReadOnlyList<SerfMember> members = await _client!.MembersAsync(stoppingToken).ConfigureAwait(false);
        var vips = members
            .Where(m => m.Status == SerfMemberStatus.Alive && m.Tags.GetValueOrDefault(AgentTags.Role) == AgentTags.BalancerRole)
            .SelectMany(m => AgentTags.ParseVips(m.Tags.GetValueOrDefault(AgentTags.Vips) ?? string.Empty))
            .Distinct()
            .ToList();

        // A tunnel's outer header has the family of this backend's address the balancer uses: the VIP's when this
        // backend has one of that family, else the one it gossips from.
        AddressFamily own = members.FirstOrDefault(m => m.Name == _node)?.Address.AddressFamily ?? AddressFamily.InterNetwork;
        AddressFamily Outer(AddressFamily family) => family == own || options.Addresses.Any(a => a.AddressFamily == family) ? family : own;
        _network.Converge([.. from vip in vips
                              from how in services
                              where string.Equals(how.Service, vip.Key, StringComparison.OrdinalIgnoreCase)
                              select new BackendVip(vip.Value, how, Outer(vip.Value.AddressFamily))]);
    }

    // What this agent says about itself in Serf.
    private Dictionary<string, string> Tags()
    {
        var tags = new Dictionary<string, string> { [AgentTags.Role] = AgentTags.AgentRole, [AgentTags.Services] = AgentTags.Format(options.Services) };
        if (options.Addresses.Count > 0)
        {
            tags[AgentTags.Addresses] = string.Join(',', options.Addresses);
        }

        return tags;
    }

    private void StartSerf()
    {
        var info = new ProcessStartInfo(options.SerfPath!) { UseShellExecute = false };
        foreach (string argument in new[] { "agent", "-rpc-addr", options.SerfRpc, "-log-level", "warn" })
        {
            info.ArgumentList.Add(argument);
        }

        if (options.Node is { } node)
        {
            info.ArgumentList.Add($"-node={node}");
        }

        if (options.Bind is { } bind)
        {
            info.ArgumentList.Add($"-bind={bind}");
        }

        // Tags from the first gossip on, so the balancer sees the services when the node joins.
        foreach ((string name, string value) in Tags())
        {
            info.ArgumentList.Add($"-tag={name}={value}");
        }

        foreach (string join in options.Join)
        {
            info.ArgumentList.Add($"-join={join}");
        }

        _serf = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {options.SerfPath}");
        LogSerfStarted(logger, options.SerfPath!, _serf.Id);
    }

    // Waits (bounded) for the serf agent to answer, saying what it waits for at once and every few seconds after.
    private async Task<SerfClient> ConnectAsync(CancellationToken stoppingToken)
    {
        var waited = Stopwatch.StartNew();
        TimeSpan nextReport = TimeSpan.Zero;
        while (true)
        {
            try
            {
                SerfClient client = await SerfClient.ConnectAsync(SerfClientOptions.FromAddress(options.SerfRpc), stoppingToken).ConfigureAwait(false);
                if (nextReport > TimeSpan.Zero)
                {
                    LogSerfAnswered(logger, options.SerfRpc, waited.Elapsed.TotalSeconds);
                }

                return client;
            }
            catch (Exception e) when (e is SerfException or IOException or SocketException)
            {
                if (waited.Elapsed >= SerfWait)
                {
                    throw new SerfException($"the serf agent at {options.SerfRpc} did not answer within {SerfWait.TotalSeconds:0} s ({e.Message}); " +
                        (options.SerfPath is null ? "start serf with -rpc-addr there, or give --serf to have the agent start it" : $"is {options.SerfPath} a serf agent?"), e);
                }

                if (waited.Elapsed >= nextReport)
                {
                    LogWaitingForSerf(logger, options.SerfRpc, e.Message, (SerfWait - waited.Elapsed).TotalSeconds);
                    nextReport = waited.Elapsed + SerfReportEvery;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "waiting for the serf agent at {Address} ({Problem}); giving up in {Seconds:0} s")]
    private static partial void LogWaitingForSerf(ILogger logger, string address, string problem, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "the serf agent at {Address} answered after {Seconds:0.0} s")]
    private static partial void LogSerfAnswered(ILogger logger, string address, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "agent {Node} announces {Services}")]
    private static partial void LogAnnounced(ILogger logger, string node, string services);

    [LoggerMessage(Level = LogLevel.Information, Message = "started {Path} (pid {Pid})")]
    private static partial void LogSerfStarted(ILogger logger, string path, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the serf agent exited ({ExitCode}); restarting it")]
    private static partial void LogSerfRestarted(ILogger logger, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "agent {Node} draining: waiting for the balancer to stop routing to it")]
    private static partial void LogDraining(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "agent {Node} drained in {Seconds:0.0} s")]
    private static partial void LogDrained(ILogger logger, string node, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "agent {Node}: the balancer did not confirm the drain within {Seconds} s; leaving anyway")]
    private static partial void LogDrainTimedOut(ILogger logger, string node, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "agent {Node} left the cluster")]
    private static partial void LogLeft(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Critical, Message = "the agent cannot run: {Problem}")]
    private static partial void LogFailed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping: {Problem}")]
    private static partial void LogStopProblem(ILogger logger, string problem);
}
