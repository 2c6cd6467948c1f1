using System.Runtime.InteropServices;

namespace Fusis.Lab.Tests;

/// <summary>capget/capset for the calling thread: Linux capabilities are per thread, so a test can drop one on a thread of its own.</summary>
internal static partial class Capabilities
{
    public const int NetAdmin = 12;
    private const uint Version3 = 0x20080522;

    /// <summary>Runs <paramref name="action"/> on a new thread whose effective set lacks <paramref name="capability"/>.</summary>
    public static void RunWithout(int capability, Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Drop(capability);
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new AggregateException(failure);
        }
    }

    private static unsafe void Drop(int capability)
    {
        var header = new Header { Version = Version3, Pid = 0 };
        Data* data = stackalloc Data[2];
        if (CapGet(&header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed: {Marshal.GetLastPInvokeError()}");
        }

        data[capability / 32].Effective &= ~(1u << (capability % 32));
        if (CapSet(&header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static unsafe partial int CapGet(Header* header, Data* data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static unsafe partial int CapSet(Header* header, Data* data);

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }
}
