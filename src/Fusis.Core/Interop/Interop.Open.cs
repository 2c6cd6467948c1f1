using System.Runtime.InteropServices;

namespace Fusis.Core.Interop;

// .NET offers no fsync of a directory, which a durable rename needs: open, fsync and close it directly.
internal static partial class Libc
{
    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);
}
