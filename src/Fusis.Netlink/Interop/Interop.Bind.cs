using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static unsafe partial int Bind(SafeNetlinkHandle socket, SockAddrNetlink* address, uint addressLength);
}
