using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Model;

/// <summary>A real server of a virtual service as cmdlets show it. Flat, so it survives ConvertTo-Json and Export-Csv.</summary>
public sealed class FusisDestination
{
    internal FusisDestination(string? serviceName, string service, IpvsDestination destination, string state)
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

    /// <summary>up; down (its service's health check failed: out of the kernel, or at weight 0); draining (weight 0: its member is leaving, or an operator drained it).</summary>
    public string State { get; }

    /// <summary>The state word of what a destination's label says.</summary>
    public static string StateOf(State.DestinationLabel? label) => Vocabulary.Words.DestinationStates.Word(Core.State.DestinationLabel.StateOf(label));

    /// <summary>The same from the API's flags (draining: its member's drain or an operator's).</summary>
    internal static string StateOf(bool down, bool draining) =>
        Vocabulary.Words.DestinationStates.Word(down ? Core.State.DestinationState.Down : draining ? Core.State.DestinationState.Draining : Core.State.DestinationState.Up);

    public uint ActiveConnections { get; }

    public uint InactiveConnections { get; }

    public uint PersistentConnections { get; }

    public ulong Connections { get; }

    public ulong InBytes { get; }

    public ulong OutBytes { get; }

    public override string ToString() => $"{Address}:{Port}";
}
