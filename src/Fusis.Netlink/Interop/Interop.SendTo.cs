using System.Runtime.InteropServices;

namespace Fusis.Netlink.Interop;

internal static partial class Libc
{
    public const int AF_PACKET = 17;
    public const int SOCK_DGRAM = 2;

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static unsafe partial nint SendTo(SafePacketSocketHandle socket, byte* buffer, nuint length, int flags, SockAddrLinkLayer* address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial SafePacketSocketHandle PacketSocket(int domain, int type, int protocol);
}
