using System.Runtime.InteropServices;
using Fusis.Netlink.Interop;

namespace Fusis.Netlink;

/// <summary>Owns an AF_PACKET socket's file descriptor.</summary>
internal sealed class SafePacketSocketHandle : SafeHandle
{
    public SafePacketSocketHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
