using Fusis.Netlink.Generic;
using Fusis.Netlink.Protocol;
using static Fusis.Netlink.Ipvs.IpvsAbi;

namespace Fusis.Netlink.Ipvs;

/// <summary>
/// The kernel's IPVS table through generic netlink: everything ipvsadm can do. Writes can be pipelined
/// (<see cref="Apply"/>). Not thread-safe; open one client per thread of work.
/// </summary>
public sealed class IpvsClient : IIpvsKernel
{
    private readonly NetlinkChannel _channel;
    private readonly ushort _familyId;

    private IpvsClient(NetlinkChannel channel, ushort familyId)
    {
        _channel = channel;
        _familyId = familyId;
    }

    /// <summary>The channel underneath (its transport counts syscalls for benchmarks).</summary>
    public NetlinkChannel Channel => _channel;

    /// <summary>
    /// Opens a client in this process's network namespace or the one at <paramref name="networkNamespacePath"/>.
    /// Resolving the IPVS family makes the kernel load ip_vs when it can.
    /// </summary>
    /// <exception cref="NetlinkException">ENOENT when the kernel has no IPVS; EPERM without the rights to open netlink.</exception>
    public static IpvsClient Open(string? networkNamespacePath = null)
    {
        var channel = new NetlinkChannel(NetlinkSocket.Open(NetlinkSocket.NetlinkGeneric, networkNamespacePath));
        try
        {
            GenericNetlinkFamily family = GenericNetlinkFamily.Resolve(channel, FamilyName)
                ?? throw new IpvsUnavailableException();
            return new IpvsClient(channel, family.Id);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    public IpvsInfo GetInfo()
    {
        IpvsInfo? info = null;
        Request(Command.GetInfo, "get IPVS info", null, (_, payload) =>
        {
            info = IpvsCodec.ReadInfo(payload);
            return true;
        });
        return info ?? throw new NetlinkProtocolException("no reply to IPVS_CMD_GET_INFO");
    }

    public IReadOnlyList<IpvsService> GetServices() =>
        _channel.Dump(_familyId, w => w.WriteGenericHeader((byte)Command.GetService, FamilyVersion), IpvsCodec.ReadServiceMessage, "list IPVS services");

    /// <summary>One service, or null when it does not exist.</summary>
    public IpvsService? GetService(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        IpvsService? service = null;
        NetlinkAck ack = RequestAck(Command.GetService, w => IpvsCodec.WriteNestedServiceKey(w, key), (header, payload) =>
        {
            service = IpvsCodec.ReadServiceMessage(header, payload);
            return true;
        });
        if (ack.Errno == Errno.ESRCH)
        {
            return null;
        }

        ThrowIfFailed(ack, $"get service {key}");
        return service;
    }

    public IReadOnlyList<IpvsDestination> GetDestinations(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _channel.Dump(
            _familyId,
            w =>
            {
                w.WriteGenericHeader((byte)Command.GetDest, FamilyVersion);
                IpvsCodec.WriteNestedServiceKey(w, key);
            },
            IpvsCodec.ReadDestinationMessage,
            $"list destinations of service {key}");
    }

    public void AddService(IpvsService service) => ApplyOne(IpvsOperation.AddService(service));

    /// <summary>Edits a service in place: its destinations and connections stay.</summary>
    public void UpdateService(IpvsService service) => ApplyOne(IpvsOperation.UpdateService(service));

    public void DeleteService(IpvsServiceKey key) => ApplyOne(IpvsOperation.DeleteService(key));

    public void AddDestination(IpvsServiceKey key, IpvsDestination destination) => ApplyOne(IpvsOperation.AddDestination(key, destination));

    public void UpdateDestination(IpvsServiceKey key, IpvsDestination destination) => ApplyOne(IpvsOperation.UpdateDestination(key, destination));

    public void DeleteDestination(IpvsServiceKey key, IpvsDestination destination) => ApplyOne(IpvsOperation.DeleteDestination(key, destination));

    /// <summary>
    /// Runs the operations in order, pipelined: many requests per send, no reply for those that succeed.
    /// Every operation is validated before the first is sent (a bad one throws and nothing is written).
    /// Returns each operation's outcome; a failed one does not stop those after it.
    /// </summary>
    public IReadOnlyList<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var batch = new NetlinkBatch(Math.Max(4096, operations.Count * 160));
        foreach (IpvsOperation operation in operations)
        {
            batch.Add(_familyId, 0, w => WriteOperation(w, operation));
        }

        NetlinkAck[] acks = _channel.Execute(batch);
        var results = new IpvsOperationResult[operations.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = new IpvsOperationResult(operations[i], acks[i].Succeeded ? null : IpvsErrors.For(operations[i], acks[i]));
        }

        return results;
    }

    public IpvsTimeouts GetTimeouts()
    {
        IpvsTimeouts? timeouts = null;
        Request(Command.GetConfig, "get IPVS timeouts", null, (_, payload) =>
        {
            timeouts = IpvsCodec.ReadTimeouts(payload);
            return true;
        });
        return timeouts ?? throw new NetlinkProtocolException("no reply to IPVS_CMD_GET_CONFIG");
    }

    /// <summary>Sets the timeouts; a 0 leaves that one unchanged.</summary>
    public void SetTimeouts(IpvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        Request(Command.SetConfig, "set IPVS timeouts", w =>
        {
            w.PutU32((ushort)CommandAttribute.TimeoutTcp, timeouts.TcpSeconds);
            w.PutU32((ushort)CommandAttribute.TimeoutTcpFin, timeouts.TcpFinSeconds);
            w.PutU32((ushort)CommandAttribute.TimeoutUdp, timeouts.UdpSeconds);
        });
    }

    public IReadOnlyList<IpvsSyncDaemon> GetSyncDaemons() =>
        _channel.Dump(_familyId, w => w.WriteGenericHeader((byte)Command.GetDaemon, FamilyVersion), IpvsCodec.ReadSyncDaemonMessage, "list IPVS sync daemons");

    public void StartSyncDaemon(IpvsSyncDaemon daemon)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        Request(Command.NewDaemon, $"start the {daemon.State.ToString().ToLowerInvariant()} sync daemon on {daemon.Interface}",
            w => IpvsCodec.WriteNestedSyncDaemon(w, daemon, stateOnly: false));
    }

    public void StopSyncDaemon(IpvsSyncDaemonState state) =>
        Request(Command.DelDaemon, $"stop the {state.ToString().ToLowerInvariant()} sync daemon",
            w => IpvsCodec.WriteNestedSyncDaemon(w, new IpvsSyncDaemon { State = state, Interface = string.Empty }, stateOnly: true));

    /// <summary>Zeroes the counters of one service, or of every service when <paramref name="key"/> is null.</summary>
    public void ZeroStatistics(IpvsServiceKey? key = null)
    {
        NetlinkAck ack = RequestAck(Command.Zero, key is null ? null : w => IpvsCodec.WriteNestedServiceKey(w, key), null);
        if (ack.Errno == Errno.ESRCH && key is not null)
        {
            throw NetlinkException.FromAck(ack, $"zero counters of service {key}", $"service {key} does not exist");
        }

        ThrowIfFailed(ack, key is null ? "zero all IPVS counters" : $"zero counters of service {key}");
    }

    /// <summary>Deletes every service and destination in this namespace. Fusis itself never calls it.</summary>
    public void Flush() => Request(Command.Flush, "flush the IPVS table");

    public void Dispose() => _channel.Dispose();

    private void ApplyOne(IpvsOperation operation)
    {
        IpvsOperationResult result = Apply([operation])[0];
        if (result.Error is { } error)
        {
            throw error;
        }
    }

    private static void WriteOperation(NetlinkMessageWriter writer, IpvsOperation operation)
    {
        switch (operation.Kind)
        {
            case IpvsOperationKind.AddService:
            case IpvsOperationKind.UpdateService:
                writer.WriteGenericHeader((byte)(operation.Kind == IpvsOperationKind.AddService ? Command.NewService : Command.SetService), FamilyVersion);
                IpvsCodec.WriteNestedService(writer, operation.Service!);
                break;
            case IpvsOperationKind.DeleteService:
                writer.WriteGenericHeader((byte)Command.DelService, FamilyVersion);
                IpvsCodec.WriteNestedServiceKey(writer, operation.ServiceKey);
                break;
            default:
                Command command = operation.Kind switch
                {
                    IpvsOperationKind.AddDestination => Command.NewDest,
                    IpvsOperationKind.UpdateDestination => Command.SetDest,
                    _ => Command.DelDest,
                };
                writer.WriteGenericHeader((byte)command, FamilyVersion);
                IpvsCodec.WriteNestedServiceKey(writer, operation.ServiceKey);
                IpvsCodec.WriteNestedDestination(writer, operation.Destination!, keyOnly: command == Command.DelDest);
                break;
        }
    }

    private NetlinkAck RequestAck(Command command, NetlinkBodyWriter? writeAttributes, NetlinkReplyParser<bool>? onReply) =>
        _channel.Request(
            _familyId,
            0,
            w =>
            {
                w.WriteGenericHeader((byte)command, FamilyVersion);
                writeAttributes?.Invoke(w);
            },
            onReply);

    private void Request(Command command, string what, NetlinkBodyWriter? writeAttributes = null, NetlinkReplyParser<bool>? onReply = null) =>
        ThrowIfFailed(RequestAck(command, writeAttributes, onReply), what);

    private static void ThrowIfFailed(NetlinkAck ack, string what)
    {
        if (!ack.Succeeded)
        {
            throw NetlinkException.FromAck(ack, what);
        }
    }
}
