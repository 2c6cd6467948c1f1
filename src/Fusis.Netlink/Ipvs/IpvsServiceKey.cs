using System.Net;
using System.Net.Sockets;

namespace Fusis.Netlink.Ipvs;

/// <summary>
/// What identifies a virtual service in the kernel: (protocol, address, port), or (firewall mark, address family).
/// </summary>
public sealed record IpvsServiceKey
{
    private IpvsServiceKey(AddressFamily family, IpvsProtocol protocol, IPAddress address, ushort port, uint firewallMark)
    {
        AddressFamily = family;
        Protocol = protocol;
        Address = address;
        Port = port;
        FirewallMark = firewallMark;
    }

    public AddressFamily AddressFamily { get; }

    /// <summary><see cref="IpvsProtocol.None"/> for a firewall-mark service.</summary>
    public IpvsProtocol Protocol { get; }

    /// <summary>The virtual address; the family's "any" address for a firewall-mark service.</summary>
    public IPAddress Address { get; }

    /// <summary>The virtual port; 0 (all ports, with persistence) is allowed, and used by firewall-mark services.</summary>
    public ushort Port { get; }

    /// <summary>Non-zero for a firewall-mark service.</summary>
    public uint FirewallMark { get; }

    public bool IsFirewallMark => FirewallMark != 0;

    public static IpvsServiceKey ForEndPoint(IpvsProtocol protocol, IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (protocol is not (IpvsProtocol.Tcp or IpvsProtocol.Udp or IpvsProtocol.Sctp))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "a service's protocol must be TCP, UDP or SCTP");
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"{address} is not an IPv4 or IPv6 address", nameof(address));
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return new IpvsServiceKey(address.AddressFamily, protocol, address, port, 0);
    }

    public static IpvsServiceKey ForFirewallMark(uint firewallMark, AddressFamily family = AddressFamily.InterNetwork)
    {
        if (firewallMark == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(firewallMark), "a firewall mark must be non-zero");
        }

        IPAddress any = family switch
        {
            AddressFamily.InterNetwork => IPAddress.Any,
            AddressFamily.InterNetworkV6 => IPAddress.IPv6Any,
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "IPv4 or IPv6"),
        };
        return new IpvsServiceKey(family, IpvsProtocol.None, any, 0, firewallMark);
    }

    /// <summary>As ipvsadm names it: "TCP 198.18.0.1:80", "UDP [fd00::1]:53", "FWM 7 IPv6".</summary>
    public override string ToString() => IsFirewallMark
        ? $"FWM {FirewallMark}{(AddressFamily == AddressFamily.InterNetworkV6 ? " IPv6" : string.Empty)}"
        : $"{Protocol.ToString().ToUpperInvariant()} {new IPEndPoint(Address, Port)}";
}
