using System.Net;
using Fusis.Core;
using Fusis.Core.Backends;
using Fusis.Core.Cluster;
using Fusis.Core.Engine;
using Fusis.Core.Nat;
using Fusis.Core.State;
using Fusis.Daemon.Api;
using Fusis.Daemon.CommandLine;
using Fusis.Etcd;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// `fusis balancer`: the generic host with the engine, its reconcile timer and the HTTP API. It never flushes:
/// it loads the store, and its first reconcile converges only the services Fusis owns.
/// </summary>
public static partial class BalancerHost
{
    /// <summary>sysexits' EX_CONFIG: bad configuration or flags.</summary>
    public const int ConfigurationExitCode = 78;

    /// <summary>sysexits' EX_UNAVAILABLE: the kernel has no IPVS, or the process may not use it.</summary>
    public const int UnavailableExitCode = 69;

    /// <summary>sysexits' EX_DATAERR: the desired-state file cannot be used (it is left untouched).</summary>
    public const int StateExitCode = 65;

    /// <summary>Runs with these arguments (without the word balancer) until stopped; returns the exit code.</summary>
    internal static Task<int> RunAsync(string[] args, Func<IIpvsKernel> openKernel) => RunAsync(() => BalancerCommandLine.Read(args), openKernel);

    /// <summary>Runs until stopped; returns the exit code (the sysexits constants above for what stops it early).</summary>
    internal static async Task<int> RunAsync(Func<BalancerOptions> readOptions, Func<IIpvsKernel> openKernel)
    {
        // The engine, the election's watchdog and the etcd and netlink clients block pool threads by design (the kernel
        // and the store are synchronous); a floor keeps a small or slow host from starving the async work they wait on.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
        WebApplication app;
        try
        {
            app = Build(readOptions(), openKernel);
        }
        catch (Exception e) when (ExitCodeOf(e) is { } code)
        {
            await Console.Error.WriteLineAsync(e is UsageException ? e.Message : $"fusis balancer: {e.Message}").ConfigureAwait(false);
            return code;
        }

        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync().ConfigureAwait(false);
        }

        // A service that failed and stopped the host set it (0 otherwise).
        return Environment.ExitCode;
    }

    /// <summary><c>fusis balancer --release-vips</c> (<see cref="VipRelease"/>); returns the exit code.</summary>
    internal static async Task<int> ReleaseVipsAsync(Func<BalancerOptions> readOptions)
    {
        try
        {
            VipRelease.Run(readOptions(), Console.Out);
            return 0;
        }
        catch (Exception e) when (ExitCodeOf(e) is { } code)
        {
            await Console.Error.WriteLineAsync($"fusis balancer --release-vips: {e.Message}").ConfigureAwait(false);
            return code;
        }
    }

    // What stops the balancer before it runs, by type, as the sysexits code it exits with; null: not one of those.
    private static int? ExitCodeOf(Exception e) => e switch
    {
        UsageException => CommandLine.FusisCommandLine.UsageExitCode,
        ConfigurationException => ConfigurationExitCode,
        NetlinkException => UnavailableExitCode,
        DesiredStateException => StateExitCode,
        FusisException { Code: FusisErrorCode.NatUnavailable } => UnavailableExitCode,
        _ => null,
    };

    /// <summary>Reads the settings (these arguments, the file, the environment), opens the kernel and the store, and builds the host (not started).</summary>
    /// <exception cref="UsageException">Arguments the parser cannot read.</exception>
    /// <exception cref="ConfigurationException">Bad flags, file or values.</exception>
    public static WebApplication Build(string[] args, Func<IIpvsKernel> openKernel) => Build(BalancerCommandLine.Read(args), openKernel);

    /// <summary>Opens the kernel and the store, and builds the host (not started).</summary>
    /// <exception cref="ConfigurationException">A token file that cannot be read, a local socket that cannot be prepared.</exception>
    internal static WebApplication Build(BalancerOptions options, Func<IIpvsKernel> openKernel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openKernel);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "fusis",
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Read and checked by BalancerSettings.
        IPEndPoint endPoint = IPEndPoint.Parse(options.Listen);
        string? token = options.TokenFile is null ? null : ReadToken(options.TokenFile);
        byte[]? tokenHash = token is null ? null : BearerTokenMiddleware.Hash(token);
        SnatSetting? snat = SnatSetting.TryParse(options.Snat, out SnatSetting? parsedSnat) ? parsedSnat : null;

        // The engine is the host's only writer: it holds the store's lock from here until it stops. In a cluster the
        // file is the shared state's cache.
        FileDesiredStateStore file = FileDesiredStateStore.Open(options.StatePath, LocalBackend.LockTimeout);
        ILogger? clusterLogger = null;
        ClusterNode node;
        try
        {
            node = OpenCluster(options, token, file, problem =>
            {
                if (clusterLogger is not null)
                {
                    LogCluster(clusterLogger, problem);
                }
                else
                {
                    Console.Error.WriteLine($"fusis balancer: {problem}");
                }
            });
        }
        catch
        {
            file.Dispose();
            throw;
        }

        IDesiredStateStore store = node.Store is { } shared ? shared : file;
        void Release()
        {
            store.Dispose();
            node.Election?.Dispose();
            node.Etcd?.Dispose();
        }

        string? localSocket = null;
        try
        {
            localSocket = PrepareLocalSocket(options.LocalSocket);
        }
        catch
        {
            Release();
            throw;
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endPoint);
            if (localSocket is not null)
            {
                kestrel.ListenUnixSocket(localSocket);
            }

            // The API's limit is ApiBody's, on the body's own bytes, the same for a sized and a chunked body. Kestrel counts
            // a chunked body's framing too (a body of exactly the limit was refused); its limit stays, as the outer guard
            // for routes that read no body, loose enough that the framing of even one-byte chunks never reaches it.
            kestrel.Limits.MaxRequestBodySize = (options.MaxBodyBytes * 8) + 65536;
            kestrel.AddServerHeader = false;
        });
        builder.Host.UseSystemd();
        ConsoleLogging.Configure(builder.Logging);

        IIpvsKernel kernel;
        BalancerEngine engine;
        try
        {
            kernel = openKernel();
        }
        catch
        {
            Release();
            throw;
        }

        ILogger? natLogger = null;
        var nat = NftTables.ForThisThread(message =>
        {
            if (natLogger is not null)
            {
                LogNat(natLogger, message);
            }
        });
        try
        {
            engine = BalancerEngine.Start(
                store, kernel, nat, new Core.Events.EventLog(options.EventHistory), node.Anycast ? AnycastScheduling.Problem : null);
        }
        catch
        {
            Release();
            kernel.Dispose();
            nat.Dispose();
            throw;
        }

        if (node.Anycast && engine.Current.Services.Select(AnycastScheduling.Problem).OfType<string>().ToList() is { Count: > 0 } unschedulable)
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            kernel.Dispose();
            nat.Dispose();
            node.Election?.Dispose();
            node.Etcd?.Dispose();
            throw new ConfigurationException(
                $"ClusterMode anycast: {string.Join("; ", unschedulable.Take(5))}{(unschedulable.Count > 5 ? $"; and {unschedulable.Count - 5} more" : string.Empty)}. " +
                "Change them to mh first (Set-FusisService -Scheduler mh), or run this balancer in leader mode");
        }

        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(node);
        builder.Services.AddSingleton<ClusterView>();
        builder.Services.AddSingleton<HealthResults>();
        builder.Services.AddSingleton<Status.StatusReader>();
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new() { Title = "Fusis balancer", Version = Program.Version, Description = "The original Fusis routes, plus what Fusis adds (events, status, cluster)." };
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            // The schemas describe the API's own JSON: PascalCase, as ApiJson writes it.
            json.SerializerOptions.PropertyNamingPolicy = Api.ApiJson.Options.PropertyNamingPolicy;
            json.SerializerOptions.PropertyNameCaseInsensitive = Api.ApiJson.Options.PropertyNameCaseInsensitive;
        });
        builder.Services.AddHostedService<ReconcileLoop>();
        builder.Services.AddHostedService<HealthCheckService>();
        if (options.SerfRpc is not null)
        {
            builder.Services.AddHostedService<MembershipService>();
        }

        if (options.VipInterface is not null)
        {
            builder.Services.AddSingleton<NetworkService>();
            builder.Services.AddHostedService(services => services.GetRequiredService<NetworkService>());
        }

        if (node.InCluster)
        {
            builder.Services.AddHostedService<ClusterService>();
        }

        if (node.Anycast)
        {
            builder.Services.AddSingleton<BgpService>();
            builder.Services.AddHostedService(services => services.GetRequiredService<BgpService>());
        }

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(20));
        WebApplication app = builder.Build();
        app.UseBalancerApi(engine, tokenHash, options);

        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fusis.Balancer");
        natLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fusis.Nat");
        clusterLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fusis.Cluster");
        if (snat is not null && snat != engine.Current.DefaultSnat)
        {
            try
            {
                engine.ChangeAsync((state, _) => state with { DefaultSnat = snat }).GetAwaiter().GetResult();
            }
            catch (DesiredStateUnavailableException e)
            {
                LogCluster(clusterLogger, $"the default SNAT stays {engine.Current.DefaultSnat}: {e.Message}");
            }
        }

        // Converge what Fusis owns before listening (never a flush); services it does not own are listed, not touched.
        ReconcileLoop.ReconcileAsync(engine, logger).GetAwaiter().GetResult();
        var owned = engine.Current.Services.Select(s => s.Key).ToHashSet();
        foreach (IpvsService unmanaged in engine.ReadAsync((_, k) => k.GetServices()).GetAwaiter().GetResult().Where(s => !owned.Contains(s.Key)))
        {
            LogUnmanaged(logger, unmanaged.Key.ToString());
        }

        app.Lifetime.ApplicationStarted.Register(() => LogStarted(
            logger, Program.Version, string.Join(", ", app.Urls), options.StatePath, engine.Current.Services.Count, tokenHash is null ? "open on loopback" : "need the token",
            tokenHash is null || IPAddress.IsLoopback(endPoint.Address) ? "need no token on loopback" : options.AnonymousReads ? "need NO token (AnonymousReads): anyone who reaches the API sees every VIP and backend" : "need the token beyond loopback"));
        if (app.Services.GetService<BgpService>() is { } bgp)
        {
            // Routes first: BIRD withdraws every VIP, the router moves the flows to the other balancers (the same backends:
            // Maglev), and this one forwards what still reaches it for DrainTime before it stops.
            app.Lifetime.ApplicationStopping.Register(() =>
            {
                bgp.DrainAsync(CancellationToken.None).GetAwaiter().GetResult();
                LogDraining(logger, bgp.Problem is null ? "withdrawn" : $"not withdrawn ({bgp.Problem})", options.DrainTime.TotalSeconds);
                Thread.Sleep(options.DrainTime);
            });
        }

        app.Lifetime.ApplicationStopped.Register(() =>
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            kernel.Dispose();
            nat.Dispose();
            node.Election?.Dispose();
            node.Etcd?.Dispose();
            if (localSocket is not null)
            {
                File.Delete(localSocket);
            }

            LogStopped(logger);
        });
        return app;
    }

    private static ClusterNode OpenCluster(BalancerOptions options, string? token, FileDesiredStateStore cache, Action<string> problem)
    {
        if (options.Etcd is not { } endpoints)
        {
            return ClusterNode.Alone(options.Node);
        }

        EtcdConnection etcd;
        try
        {
            // Requests end within a third of the lease, so a leader's renewal never outlasts its deadline.
            etcd = EtcdConnection.Open(endpoints, options.LeaseTtl / 3);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"Etcd: {e.Message}", e);
        }

        var keys = new ClusterKeys(options.EtcdPrefix);
        var store = new EtcdDesiredStateStore(etcd, keys, options.Node, cache);
        store.Problem += problem;
        var quorum = new PeerQuorum(token, options.ClusterMode == ClusterMode.Anycast);
        var election = new LeaderElection(etcd, keys, options.Node, options.LeaseTtl, $"http://{options.Listen}")
        {
            NobodyElseCanLead = quorum.NobodyElseCanLead,
        };
        return new ClusterNode(options.Node, election, store, etcd, quorum) { Mode = options.ClusterMode };
    }

    // The socket's folder is root's alone (0700), so only local root reaches the token-free endpoint. A socket left by
    // a balancer that died is removed: this process holds the store's lock, so no other balancer uses it.
    private static string? PrepareLocalSocket(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        string full = Path.GetFullPath(path);
        try
        {
            var folder = Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            folder.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            File.Delete(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot prepare the local socket {full}: {e.Message}", e);
        }

        return full;
    }

    private static string ReadToken(string path)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read the token file {path}: {e.Message}", e);
        }

        return token.Length >= 16
            ? token
            : throw new ConfigurationException($"the token in {path} is shorter than 16 characters");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Change}")]
    private static partial void LogNat(ILogger logger, string change);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: {Problem}")]
    private static partial void LogCluster(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "fusis balancer {Version} listening on {Urls}; desired state {StatePath} with {Services} owned services; writes {Auth}; reads {Reads}")]
    private static partial void LogStarted(ILogger logger, string version, string urls, string statePath, int services, string auth, string reads);

    [LoggerMessage(Level = LogLevel.Information, Message = "kernel service {Service} is not owned by Fusis; it is left alone")]
    private static partial void LogUnmanaged(ILogger logger, string service);

    [LoggerMessage(Level = LogLevel.Information, Message = "bgp: stopping: every VIP's route {Withdrawn}; forwarding what still arrives for {Seconds} s")]
    private static partial void LogDraining(ILogger logger, string withdrawn, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "fusis balancer stopped; the kernel table was left as it is")]
    private static partial void LogStopped(ILogger logger);
}
