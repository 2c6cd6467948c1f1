namespace Fusis.Core.State;

/// <summary>A service key: protocol "tcp" | "udp" | "sctp" with address and port, or "fwmark" with a mark and family.</summary>
internal class KeyDocument
{
    public string? Protocol { get; set; }

    public string? Address { get; set; }

    public ushort Port { get; set; }

    public uint FirewallMark { get; set; }

    /// <summary>"ipv4" | "ipv6"; needed for firewall marks, implied by the address otherwise.</summary>
    public string? AddressFamily { get; set; }
}
