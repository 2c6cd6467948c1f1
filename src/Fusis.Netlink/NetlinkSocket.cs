using System.Runtime.InteropServices;
using Fusis.Netlink.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fusis.Netlink;

/// <summary>
/// A raw AF_NETLINK socket talking to the kernel: open, bind, send and receive datagrams.
/// Not thread-safe: one conversation at a time (see <see cref="NetlinkChannel"/>).
/// </summary>
public sealed class NetlinkSocket : INetlinkTransport
{
    public const int NetlinkRoute = 0;
    public const int NetlinkGeneric = 16;

    // Large buffers so a batch of thousands of writes and its error replies never overflow. Forcing them
    // needs CAP_NET_ADMIN, which every writer has; readers fall back to the default limits.
    private const int SocketBufferBytes = 8 * 1024 * 1024;

    private readonly SafeNetlinkHandle _handle;

    private NetlinkSocket(SafeNetlinkHandle handle, int protocol, uint portId)
    {
        _handle = handle;
        Protocol = protocol;
        PortId = portId;
    }

    /// <summary>The netlink protocol (<see cref="NetlinkRoute"/>, <see cref="NetlinkGeneric"/>).</summary>
    public int Protocol { get; }

    /// <summary>The port id the kernel assigned at bind time; replies carry it.</summary>
    public uint PortId { get; }

    /// <summary>send(2) calls made (benchmarks report syscalls per object).</summary>
    public long SendCalls { get; private set; }

    /// <summary>recvfrom(2) calls made.</summary>
    public long ReceiveCalls { get; private set; }

    /// <summary>How long a receive waits for the kernel before failing with ETIMEDOUT.</summary>
    public TimeSpan ReceiveTimeout { get; private set; }

    /// <summary>
    /// Opens a socket in this process's network namespace, or in the one at <paramref name="networkNamespacePath"/>
    /// (e.g. <c>/run/netns/NAME</c>). A socket stays in the namespace it was created in.
    /// </summary>
    public static NetlinkSocket Open(int protocol, string? networkNamespacePath = null, TimeSpan? receiveTimeout = null)
    {
        SafeNetlinkHandle handle = networkNamespacePath is null
            ? CreateSocket(protocol)
            : CreateSocketInNamespace(protocol, networkNamespacePath);
        try
        {
            uint portId = Bind(handle);
            // Options that only improve errors and throughput: a kernel without them still works.
            TrySetInt(handle, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, 1);
            TrySetInt(handle, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, 1);
            if (!TrySetInt(handle, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, SocketBufferBytes))
            {
                TrySetInt(handle, Libc.SOL_SOCKET, Libc.SO_RCVBUF, SocketBufferBytes);
            }

            if (!TrySetInt(handle, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, SocketBufferBytes))
            {
                TrySetInt(handle, Libc.SOL_SOCKET, Libc.SO_SNDBUF, SocketBufferBytes);
            }

            var socket = new NetlinkSocket(handle, protocol, portId);
            socket.SetReceiveTimeout(receiveTimeout ?? TimeSpan.FromSeconds(30));
            return socket;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sends one datagram (any number of whole messages). Netlink never sends part of a datagram.</summary>
    public unsafe void Send(ReadOnlySpan<byte> datagram)
    {
        fixed (byte* buffer = datagram)
        {
            while (true)
            {
                SendCalls++;
                nint sent = Libc.Send(_handle, buffer, (nuint)datagram.Length, 0);
                if (sent >= 0)
                {
                    if (sent != datagram.Length)
                    {
                        throw new NetlinkProtocolException($"netlink send wrote {sent} of {datagram.Length} bytes");
                    }

                    return;
                }

                if ((Errno)Marshal.GetLastPInvokeError() != Errno.EINTR)
                {
                    throw NetlinkException.FromLastError("netlink send");
                }
            }
        }
    }

    /// <summary>Receives one datagram from the kernel into <paramref name="buffer"/>; returns its length.</summary>
    /// <exception cref="NetlinkException">ETIMEDOUT when the kernel said nothing in time; ENOBUFS when it dropped replies.</exception>
    public unsafe int Receive(Span<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            while (true)
            {
                SockAddrNetlink source = default;
                uint sourceLength = (uint)sizeof(SockAddrNetlink);
                ReceiveCalls++;
                nint received = Libc.RecvFrom(_handle, data, (nuint)buffer.Length, Libc.MSG_TRUNC, &source, &sourceLength);
                if (received < 0)
                {
                    var errno = (Errno)Marshal.GetLastPInvokeError();
                    switch (errno)
                    {
                        case Errno.EINTR:
                            continue;
                        case Errno.EAGAIN:
                            throw new NetlinkException(Errno.ETIMEDOUT,
                                $"the kernel did not answer within {ReceiveTimeout.TotalSeconds:0.#} s", null);
                        case Errno.ENOBUFS:
                            throw new NetlinkException(Errno.ENOBUFS,
                                "the kernel dropped netlink replies (receive buffer overrun): the outcome of the last requests is unknown; read the state again", null);
                        default:
                            throw NetlinkException.FromLastError("netlink receive");
                    }
                }

                if (source.PortId != 0)
                {
                    continue; // Not from the kernel: another process may not speak for it.
                }

                if (received > buffer.Length)
                {
                    throw new NetlinkProtocolException($"netlink datagram of {received} bytes did not fit a {buffer.Length}-byte buffer");
                }

                return (int)received;
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    private unsafe void SetReceiveTimeout(TimeSpan timeout)
    {
        long microseconds = (long)timeout.TotalMicroseconds;
        var value = new TimeVal { Seconds = microseconds / 1_000_000, Microseconds = microseconds % 1_000_000 };
        if (Libc.SetSockOpt(_handle, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, &value, (uint)sizeof(TimeVal)) != 0)
        {
            throw NetlinkException.FromLastError("setsockopt(SO_RCVTIMEO)");
        }

        ReceiveTimeout = timeout;
    }

    private static SafeNetlinkHandle CreateSocket(int protocol)
    {
        var handle = new SafeNetlinkHandle();
        int fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            var error = NetlinkException.FromLastError($"socket(AF_NETLINK, protocol {protocol})");
            handle.Dispose();
            throw error;
        }

        Marshal.InitHandle(handle, fd);
        return handle;
    }

    // setns(2) moves only the calling thread; do it on a short-lived thread of our own so no caller's
    // thread ever changes namespace.
    private static SafeNetlinkHandle CreateSocketInNamespace(int protocol, string networkNamespacePath)
    {
        SafeNetlinkHandle? handle = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using SafeFileHandle ns = File.OpenHandle(networkNamespacePath, FileMode.Open, FileAccess.Read);
                if (Libc.SetNs(ns, Libc.CLONE_NEWNET) != 0)
                {
                    throw NetlinkException.FromLastError($"setns({networkNamespacePath})");
                }

                handle = CreateSocket(protocol);
            }
            catch (Exception e)
            {
                failure = e; // rethrown on the caller's thread: an exception escaping a thread ends the process
            }
        });
        thread.Start();
        thread.Join();
        return failure switch
        {
            NetlinkException netlink => throw netlink,
            not null => throw new NetlinkException($"cannot open network namespace {networkNamespacePath}: {failure.Message}", failure),
            _ => handle!,
        };
    }

    private static unsafe uint Bind(SafeNetlinkHandle handle)
    {
        // Port id 0: the kernel assigns a unique one, which getsockname tells us.
        var address = new SockAddrNetlink { Family = Libc.AF_NETLINK };
        if (Libc.Bind(handle, &address, (uint)sizeof(SockAddrNetlink)) != 0)
        {
            throw NetlinkException.FromLastError("bind(AF_NETLINK)");
        }

        uint length = (uint)sizeof(SockAddrNetlink);
        if (Libc.GetSockName(handle, &address, &length) != 0)
        {
            throw NetlinkException.FromLastError("getsockname(AF_NETLINK)");
        }

        return address.PortId;
    }

    private static unsafe bool TrySetInt(SafeNetlinkHandle handle, int level, int name, int value) =>
        Libc.SetSockOpt(handle, level, name, &value, sizeof(int)) == 0;
}
