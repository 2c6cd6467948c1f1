namespace Fusis.Core.State;

/// <summary>How a NAT-mode service's traffic to its destinations gets its source address rewritten.</summary>
public enum SnatKind
{
    /// <summary>Not rewritten: destinations must route their answers back through the balancer.</summary>
    Off,

    /// <summary>To the address of the interface the packet leaves by.</summary>
    Masquerade,

    /// <summary>To a given address of the balancer.</summary>
    Address,
}
