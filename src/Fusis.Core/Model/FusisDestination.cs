using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Model;

/// <summary>A real server of a virtual service as cmdlets show it. Flat, so it survives ConvertTo-Json and Export-Csv.</summary>
public sealed class FusisDestination
{
    internal FusisDestination(string? serviceName, IpvsServiceKey serviceKey, IpvsDestination destination, string state = "Up")
    {
        State = state;
        ServiceName = serviceName;
        Service = serviceKey.ToString();
        Address = destination.Address.ToString();
        Port = destination.Port;
        ForwardingMethod = destination.ForwardingMethod.ToString();
        Weight = destination.Weight;
        UpperThreshold = destination.UpperThreshold;
        LowerThreshold = destination.LowerThreshold;
        bool tunnel = destination.ForwardingMethod == IpvsForwardingMethod.Tunnel;
        TunnelType = tunnel ? destination.TunnelType.ToString() : null;
        TunnelPort = tunnel ? destination.TunnelPort : (ushort)0;
        TunnelChecksum = tunnel ? destination.TunnelChecksum.ToString() : null;
        ActiveConnections = destination.ActiveConnections;
        InactiveConnections = destination.InactiveConnections;
        PersistentConnections = destination.PersistentConnections;
        IpvsStatistics stats = destination.Statistics ?? new IpvsStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        (Connections, InBytes, OutBytes) = (stats.Connections, stats.IncomingBytes, stats.OutgoingBytes);
    }

    /// <summary>The owning service's name; null when Fusis does not own it.</summary>
    public string? ServiceName { get; }

    /// <summary>The owning service as ipvsadm names it: "TCP 198.18.0.1:80".</summary>
    public string Service { get; }

    public string Address { get; }

    public int Port { get; }

    /// <summary>Masquerade (NAT), DirectRoute, Tunnel, or Local (the kernel's own address).</summary>
    public string ForwardingMethod { get; }

    public int Weight { get; }

    public uint UpperThreshold { get; }

    public uint LowerThreshold { get; }

    /// <summary>IpIp, Gue or Gre for tunnels; null otherwise.</summary>
    public string? TunnelType { get; }

    public ushort TunnelPort { get; }

    public string? TunnelChecksum { get; }

    /// <summary>Up; Down (its service's health check failed: out of the kernel, or at weight 0); Draining (weight 0 until idle).</summary>
    public string State { get; }

    public uint ActiveConnections { get; }

    public uint InactiveConnections { get; }

    public uint PersistentConnections { get; }

    public ulong Connections { get; }

    public ulong InBytes { get; }

    public ulong OutBytes { get; }

    public override string ToString() => $"{Address}:{Port}";
}
