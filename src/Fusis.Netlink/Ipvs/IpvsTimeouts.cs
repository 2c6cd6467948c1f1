namespace Fusis.Netlink.Ipvs;

/// <summary>Connection timeouts in seconds (ipvsadm --set). When setting, 0 leaves a value unchanged.</summary>
public sealed record IpvsTimeouts(uint TcpSeconds, uint TcpFinSeconds, uint UdpSeconds);
