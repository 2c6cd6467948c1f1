using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Model;

/// <summary>IPVS connection timeouts, as Get-FusisTimeout shows them (ipvsadm -L --timeout).</summary>
public sealed record FusisTimeout(TimeSpan Tcp, TimeSpan TcpFin, TimeSpan Udp)
{
    public static FusisTimeout From(IpvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        return new(TimeSpan.FromSeconds(timeouts.TcpSeconds), TimeSpan.FromSeconds(timeouts.TcpFinSeconds), TimeSpan.FromSeconds(timeouts.UdpSeconds));
    }
}
