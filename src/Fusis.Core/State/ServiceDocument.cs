namespace Fusis.Core.State;

internal sealed class ServiceDocument : KeyDocument
{
    public string? Name { get; set; }

    public string? Scheduler { get; set; }

    /// <summary>"persistent", "one-packet", "scheduler-fallback", "scheduler-port", "scheduler-flag-3".</summary>
    public List<string> Flags { get; set; } = [];

    public uint PersistenceTimeout { get; set; }

    /// <summary>IPv4: a dotted mask; IPv6: a prefix length; absent: the family's default.</summary>
    public string? Netmask { get; set; }

    public string? PersistenceEngine { get; set; }

    /// <summary>The forwarding method of destinations added without one; absent: nat.</summary>
    public string? DefaultForwardingMethod { get; set; }

    public CheckDocument? Check { get; set; }

    /// <summary>off, masquerade or an address; absent: the default SNAT.</summary>
    public string? Snat { get; set; }

    public List<DestinationDocument> Destinations { get; set; } = [];
}
