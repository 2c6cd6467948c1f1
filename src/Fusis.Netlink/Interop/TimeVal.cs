using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

/// <summary>struct timeval on 64-bit Linux (SO_RCVTIMEO).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeVal
{
    public long Seconds;
    public long Microseconds;
}
