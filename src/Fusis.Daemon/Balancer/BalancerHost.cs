using System.Net;
using Fusis.Core;
using Fusis.Core.Backends;
using Fusis.Core.Cluster;
using Fusis.Core.Engine;
using Fusis.Core.Nat;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;
using Fusis.Daemon.Api;
using Fusis.Etcd;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
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

    public const string DefaultConfigPath = "/etc/fusis/fusis.json";

    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["--config"] = "Config",
        ["--listen"] = nameof(BalancerOptions.Listen),
        ["--state"] = nameof(BalancerOptions.StatePath),
        ["--local-socket"] = nameof(BalancerOptions.LocalSocket),
        ["--token-file"] = nameof(BalancerOptions.TokenFile),
        ["--anonymous-reads"] = nameof(BalancerOptions.AnonymousReads),
        ["--reconcile-interval"] = nameof(BalancerOptions.ReconcileInterval),
        ["--max-body-bytes"] = nameof(BalancerOptions.MaxBodyBytes),
        ["--serf-rpc"] = nameof(BalancerOptions.SerfRpc),
        ["--resync-interval"] = nameof(BalancerOptions.ResyncInterval),
        ["--drain-timeout"] = nameof(BalancerOptions.DrainTimeout),
        ["--on-failed"] = nameof(BalancerOptions.OnFailed),
        ["--vip-interface"] = nameof(BalancerOptions.VipInterface),
        ["--vip-range"] = nameof(BalancerOptions.VipRange),
        ["--snat"] = nameof(BalancerOptions.Snat),
        ["--etcd"] = nameof(BalancerOptions.Etcd),
        ["--node"] = nameof(BalancerOptions.Node),
        ["--etcd-prefix"] = nameof(BalancerOptions.EtcdPrefix),
        ["--lease-ttl"] = nameof(BalancerOptions.LeaseTtl),
        ["--sync-interface"] = nameof(BalancerOptions.SyncInterface),
        ["--sync-id"] = nameof(BalancerOptions.SyncId),
    };

    public static string Usage =>
        "usage: fusis balancer [--config FILE] [--listen ADDRESS:PORT] [--state FILE] [--local-socket PATH] [--token-file FILE] [--anonymous-reads true|false] [--reconcile-interval HH:MM:SS] " +
        "[--max-body-bytes N] [--serf-rpc HOST:PORT] [--resync-interval HH:MM:SS] [--drain-timeout HH:MM:SS] [--on-failed Remove|Drain] " +
        "[--vip-interface NAME] [--vip-range CIDR] [--snat off|masquerade] " +
        "[--etcd ENDPOINTS --node NAME [--etcd-prefix PREFIX] [--lease-ttl HH:MM:SS] [--sync-interface NAME] [--sync-id N]]";

    public static Task<int> RunAsync(string[] args) => RunAsync(args, () => IpvsClient.Open());

    /// <summary>Runs until stopped; returns the exit code (the sysexits constants above for what stops it early).</summary>
    internal static async Task<int> RunAsync(string[] args, Func<IIpvsKernel> openKernel)
    {
        // The engine, the election's watchdog and the etcd and netlink clients block pool threads by design (the kernel
        // and the store are synchronous); a floor keeps a small or slow host from starving the async work they wait on.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
        WebApplication app;
        try
        {
            app = Build(args, openKernel);
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"fusis balancer: {e.Message}").ConfigureAwait(false);
            return ConfigurationExitCode;
        }
        catch (NetlinkException e)
        {
            await Console.Error.WriteLineAsync($"fusis balancer: {e.Message}").ConfigureAwait(false);
            return UnavailableExitCode;
        }
        catch (DesiredStateException e)
        {
            await Console.Error.WriteLineAsync($"fusis balancer: {e.Message}").ConfigureAwait(false);
            return StateExitCode;
        }
        catch (FusisException e) when (e.Code == FusisErrorCode.NatUnavailable)
        {
            await Console.Error.WriteLineAsync($"fusis balancer: {e.Message}").ConfigureAwait(false);
            return UnavailableExitCode;
        }

        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync().ConfigureAwait(false);
        }

        // A service that failed and stopped the host set it (0 otherwise).
        return Environment.ExitCode;
    }

    /// <summary>Reads the configuration, opens the kernel and the store, and builds the host (not started).</summary>
    /// <exception cref="ConfigurationException">Bad flags, file or values.</exception>
    public static WebApplication Build(string[] args, Func<IIpvsKernel> openKernel)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(openKernel);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "fusis",
            ContentRootPath = AppContext.BaseDirectory,
        });
        BalancerOptions options = ReadOptions(builder.Configuration, args);
        IPEndPoint endPoint = IPEndPoint.TryParse(options.Listen, out IPEndPoint? parsed) && options.Listen.Contains(':', StringComparison.Ordinal)
            ? parsed
            : throw new ConfigurationException($"Listen '{options.Listen}' is not address:port (for example 127.0.0.1:8000 or [::1]:8000)");
        string? token = options.TokenFile is null ? null : ReadToken(options.TokenFile);
        byte[]? tokenHash = token is null ? null : BearerTokenMiddleware.Hash(token);
        SnatSetting? snat = options.Snat is null ? null
            : SnatSetting.TryParse(options.Snat, out SnatSetting? parsedSnat) && parsedSnat.Kind != SnatKind.Address ? parsedSnat
            : throw new ConfigurationException($"Snat '{options.Snat}' is not {Words.SnatModes.Choices} (an address is set per service)");
        if (tokenHash is null && !IPAddress.IsLoopback(endPoint.Address))
        {
            throw new ConfigurationException(
                $"refusing to listen on {endPoint} without a token: anything but loopback needs TokenFile (--token-file)");
        }

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
            engine = BalancerEngine.Start(store, kernel, nat);
        }
        catch
        {
            Release();
            kernel.Dispose();
            nat.Dispose();
            throw;
        }

        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(node);
        builder.Services.AddSingleton<ClusterView>();
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
        var quorum = new PeerQuorum(token);
        var election = new LeaderElection(etcd, keys, options.Node, options.LeaseTtl, $"http://{options.Listen}")
        {
            NobodyElseCanLead = quorum.NobodyElseCanLead,
        };
        return new ClusterNode(options.Node, election, store, etcd, quorum);
    }

    private static BalancerOptions ReadOptions(ConfigurationManager configuration, string[] args)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (!Flags.TryGetValue(args[i], out string? key) || i + 1 >= args.Length)
            {
                throw new ConfigurationException(Flags.ContainsKey(args[i]) ? $"{args[i]} needs a value. {Usage}" : $"unknown argument '{args[i]}'. {Usage}");
            }

            flags[key] = args[++i];
        }

        configuration.Sources.Clear();
        string? explicitConfig = flags.GetValueOrDefault("Config") ?? Environment.GetEnvironmentVariable("FUSIS_CONFIG");
        string configPath = explicitConfig ?? DefaultConfigPath;
        var options = new BalancerOptions();
        try
        {
            if (explicitConfig is not null || File.Exists(configPath))
            {
                configuration.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
            }

            configuration.AddEnvironmentVariables("FUSIS_");
            configuration.AddInMemoryCollection(flags);
            configuration.Bind(options);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or FormatException or InvalidOperationException)
        {
            throw new ConfigurationException($"cannot use the configuration ({configPath}): {e.Message}", e);
        }

        if (options.ReconcileInterval < TimeSpan.FromSeconds(1))
        {
            throw new ConfigurationException($"ReconcileInterval must be at least 1 second, not {options.ReconcileInterval}");
        }

        if (options.VipRange is { } range && !IPNetwork.TryParse(range, out _))
        {
            throw new ConfigurationException($"VipRange '{range}' is not a CIDR range (for example 198.18.100.0/24)");
        }

        if (options.VipInterface is { } name && (name.Length is 0 or > 15 || name.Any(c => c is '/' or ' ' or ':')))
        {
            throw new ConfigurationException($"VipInterface '{name}' is not an interface name (1 to 15 characters, no '/', ':' or spaces)");
        }

        if (options.Etcd is not null)
        {
            if (options.VipInterface is null)
            {
                throw new ConfigurationException("a cluster (Etcd) needs VipInterface: the leader holds the VIPs there and the others take theirs off");
            }

            if (!DesiredStateNames.IsValid(options.Node))
            {
                throw new ConfigurationException($"Node '{options.Node}' is not a balancer name: {DesiredStateNames.Rule}");
            }

            if (options.LeaseTtl < TimeSpan.FromSeconds(1) || options.LeaseTtl > TimeSpan.FromMinutes(1))
            {
                throw new ConfigurationException($"LeaseTtl must be between 1 second and 1 minute, not {options.LeaseTtl}");
            }

            if (options.SyncId is < 1 or > 255)
            {
                throw new ConfigurationException($"SyncId must be 1 to 255, not {options.SyncId}");
            }

            if (!options.EtcdPrefix.StartsWith('/'))
            {
                throw new ConfigurationException($"EtcdPrefix '{options.EtcdPrefix}' must start with '/'");
            }
        }

        if (options.MaxBodyBytes is < 1024 or > 1024 * 1024 * 1024)
        {
            throw new ConfigurationException($"MaxBodyBytes must be from 1024 to 1073741824 (1 GiB), not {options.MaxBodyBytes}");
        }

        return options;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "fusis balancer stopped; the kernel table was left as it is")]
    private static partial void LogStopped(ILogger logger);
}
