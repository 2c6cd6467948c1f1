using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

internal static partial class Libc
{
    // The socket is bound and the kernel is its only peer, so send(2) needs no address.
    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(SafeNetlinkHandle socket, byte* buffer, nuint length, int flags);
}
