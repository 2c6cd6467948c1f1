using System.Runtime.InteropServices;

namespace Fusis.Core.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);
}
