using System.Runtime.InteropServices;
using Fusis.Netlink.Interop;

namespace Fusis.Netlink;

/// <summary>Owns a netlink socket's file descriptor.</summary>
internal sealed class SafeNetlinkHandle : SafeHandle
{
    public SafeNetlinkHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
