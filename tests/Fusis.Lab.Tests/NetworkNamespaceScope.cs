using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fusis.Lab.Tests;

/// <summary>
/// Moves the calling thread into a network namespace until disposed (setns affects one thread only). The lab's
/// PowerShell session runs pipelines on the caller's thread, so cmdlets opened inside act on that namespace.
/// </summary>
internal sealed partial class NetworkNamespaceScope : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private readonly SafeFileHandle _original;
    private readonly int _threadId = Environment.CurrentManagedThreadId;

    public NetworkNamespaceScope(string path)
    {
        _original = File.OpenHandle("/proc/thread-self/ns/net");
        using SafeFileHandle target = File.OpenHandle(path);
        Enter(target);
    }

    public void Dispose()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("a network namespace scope must end on the thread that began it");
        }

        Enter(_original);
        _original.Dispose();
    }

    private static void Enter(SafeFileHandle handle)
    {
        if (SetNs(handle, CloneNewNet) != 0)
        {
            throw new InvalidOperationException($"setns failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(SafeFileHandle fd, int nstype);
}
