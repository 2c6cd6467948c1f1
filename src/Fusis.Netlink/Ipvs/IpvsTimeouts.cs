namespace Fusis.Netlink.Ipvs;

/// <summary>Connection timeouts in seconds (ipvsadm --set). When setting, 0 leaves a value unchanged.</summary>
public sealed record IpvsTimeouts(uint TcpSeconds, uint TcpFinSeconds, uint UdpSeconds)
{
    /// <summary>
    /// The longest timeout every kernel takes: it refuses more than INT_MAX / HZ seconds, and HZ is at most 1000
    /// (Debian's 250 would take 99 days; ipvsadm allows 31).
    /// </summary>
    public const uint MaxSeconds = int.MaxValue / 1000;
}
