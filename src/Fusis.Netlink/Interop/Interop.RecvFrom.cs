using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

internal static partial class Libc
{
    /// <summary>MSG_TRUNC on receive: return the datagram's real length even when it did not fit.</summary>
    public const int MSG_TRUNC = 0x20;

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    public static unsafe partial nint RecvFrom(
        SafeNetlinkHandle socket, byte* buffer, nuint length, int flags, SockAddrNetlink* source, uint* sourceLength);
}
