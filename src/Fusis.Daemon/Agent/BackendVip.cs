using System.Net;
using System.Net.Sockets;
using Fusis.Core.Membership;

namespace Fusis.Daemon.Agent;

/// <summary>
/// A VIP this backend must accept, with how the balancer sends it packets: the announcement (route, or a tunnel's
/// kind, port and checksum) and the family of the tunnel's outer header (this backend's address the balancer uses).
/// </summary>
internal sealed record BackendVip(IPAddress Address, ServiceAnnouncement How, AddressFamily Outer);
