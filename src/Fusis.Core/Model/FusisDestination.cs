using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Model;

/// <summary>A real server of a virtual service as cmdlets show it. Flat, so it survives ConvertTo-Json and Export-Csv.</summary>
public sealed class FusisDestination
{
    internal FusisDestination(string? serviceName, string service, IpvsDestination destination, string state = "Up")
    {
        State = state;
        ServiceName = serviceName;
        Service = service;
        Address = destination.Address.ToString();
        Port = destination.Port;
        ForwardingMethod = Words.ForwardingMethods.Word(destination.ForwardingMethod);
        Weight = destination.Weight;
        UpperThreshold = destination.UpperThreshold;
        LowerThreshold = destination.LowerThreshold;
        bool tunnel = destination.ForwardingMethod == IpvsForwardingMethod.Tunnel;
        TunnelType = tunnel ? Words.TunnelTypes.Word(destination.TunnelType) : null;
        TunnelPort = tunnel ? destination.TunnelPort : (ushort)0;
        TunnelChecksum = tunnel ? Words.TunnelChecksums.Word(destination.TunnelChecksum) : null;
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

    /// <summary>nat, route, tunnel, or local (the kernel's own address): the words every front end uses.</summary>
    public string ForwardingMethod { get; }

    public int Weight { get; }

    public uint UpperThreshold { get; }

    public uint LowerThreshold { get; }

    /// <summary>ipip, gue or gre for tunnels; null otherwise.</summary>
    public string? TunnelType { get; }

    public ushort TunnelPort { get; }

    public string? TunnelChecksum { get; }

    /// <summary>Up; Down (its service's health check failed: out of the kernel, or at weight 0); Draining (weight 0 until idle).</summary>
    public string State { get; }

    /// <summary>Up, Down (held down by its health check) or Draining: what a destination's label says.</summary>
    public static string StateOf(State.DestinationLabel? label) => label switch { { Down: true } => "Down", { Draining: true } => "Draining", _ => "Up" };

    /// <summary>The same from the API's flags.</summary>
    internal static string StateOf(bool down, bool draining) => down ? "Down" : draining ? "Draining" : "Up";

    public uint ActiveConnections { get; }

    public uint InactiveConnections { get; }

    public uint PersistentConnections { get; }

    public ulong Connections { get; }

    public ulong InBytes { get; }

    public ulong OutBytes { get; }

    public override string ToString() => $"{Address}:{Port}";
}
