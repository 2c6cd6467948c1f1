using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

internal static partial class Libc
{
    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(SafeHandle fd, int namespaceType);
}
