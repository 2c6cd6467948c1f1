using System.Net.Sockets;
using Fusis.Core.Engine;
using Fusis.Core.Nat;
using Fusis.Core.Operations;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Backends;

/// <summary>
/// Local mode's choice, made once per pipeline: when this host's balancer daemon answers on its local socket, its
/// engine; when none runs, an engine in this process, holding the desired state's lock until it is disposed.
/// </summary>
public static class LocalBackend
{
    public const string DefaultSocketPath = "/run/fusis/fusis.sock";

    /// <summary>Overrides where the desired state lives (default /var/lib/fusis/state.json).</summary>
    public const string StatePathVariable = "FUSIS_STATE_PATH";

    /// <summary>Overrides where this host's balancer daemon listens (default /run/fusis/fusis.sock).</summary>
    public const string SocketPathVariable = "FUSIS_SOCKET";

    /// <summary>How long a writer waits for another to finish (a pipeline, a `fusis dsc`).</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    public static string StatePath => Environment.GetEnvironmentVariable(StatePathVariable) is { Length: > 0 } path ? path : FileDesiredStateStore.DefaultPath;

    public static string SocketPath => Environment.GetEnvironmentVariable(SocketPathVariable) is { Length: > 0 } path ? path : DefaultSocketPath;

    /// <summary>The daemon's engine if it answers on <paramref name="socketPath"/>, else an engine in this process.</summary>
    /// <exception cref="FusisException">
    /// The daemon holds the desired state but does not answer (BalancerUnreachable); the state cannot be used; no IPVS.
    /// </exception>
    public static async Task<IFusisBackend> OpenAsync(string statePath, string socketPath, Func<IIpvsKernel> openKernel, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(openKernel);
        string unanswered = "it does not exist";
        if (File.Exists(socketPath))
        {
            unanswered = await ProbeAsync(socketPath, cancellation).ConfigureAwait(false) ?? string.Empty;
            if (unanswered.Length == 0)
            {
                return new DaemonBackend(ApiBackend.ConnectLocal(socketPath), openKernel);
            }
        }

        FileDesiredStateStore store;
        try
        {
            store = FileDesiredStateStore.Open(statePath, LockTimeout);
        }
        catch (DesiredStateLockedException e)
        {
            // Held for longer than any pipeline or `fusis dsc` takes: a balancer daemon that cannot be reached.
            throw new FusisException(
                FusisErrorCode.BalancerUnreachable,
                $"a balancer daemon holds this host's desired state {statePath} but does not answer on its local socket {socketPath} ({unanswered}); " +
                "nothing was changed",
                null,
                e);
        }
        catch (DesiredStateException e)
        {
            throw new FusisException(FusisErrorCode.DesiredStateInvalid, e.Message, null, e);
        }

        IIpvsKernel kernel;
        try
        {
            kernel = openKernel();
        }
        catch (NetlinkException e)
        {
            store.Dispose();
            throw new FusisException(KernelRefusal.Code(e), e.Message, null, e);
        }

        var nat = NftTables.ForThisThread();
        try
        {
            BalancerEngine engine = BalancerEngine.Start(store, kernel, nat);
            return new EngineBackend(engine, OperationContext.None, $"this host (no balancer daemon runs; desired state {store.Path})", kernel, nat);
        }
        catch (DesiredStateException e)
        {
            store.Dispose();
            kernel.Dispose();
            nat.Dispose();
            throw new FusisException(FusisErrorCode.DesiredStateInvalid, e.Message, null, e);
        }
    }

    // Null when something accepts connections on the socket; else why not.
    private static async Task<string?> ProbeAsync(string socketPath, CancellationToken cancellation)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (SocketException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return "no answer within 5 s";
        }
    }
}
