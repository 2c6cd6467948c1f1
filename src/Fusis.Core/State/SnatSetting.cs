using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>
/// A service's SNAT: off, masquerade, or an address. With SNAT the balancer rewrites the source of the packets it
/// forwards to a NAT-mode destination, so the destination answers the balancer and needs no route back to clients.
/// Written as <see cref="Words.SnatModes"/> or an address literal everywhere (API, cmdlets, DSC, state file).
/// </summary>
public sealed record SnatSetting
{
    private SnatSetting(SnatKind kind, IPAddress? address)
    {
        Kind = kind;
        Address = address;
    }

    public static SnatSetting Off { get; } = new(SnatKind.Off, null);

    public static SnatSetting Masquerade { get; } = new(SnatKind.Masquerade, null);

    public SnatKind Kind { get; }

    /// <summary>The source address for <see cref="SnatKind.Address"/>; null otherwise.</summary>
    public IPAddress? Address { get; }

    /// <summary>What the words mean, for help and error messages.</summary>
    public static string Choices => $"{Words.SnatModes.Choices}, or an IPv4 or IPv6 address of the balancer";

    public static SnatSetting To(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new SnatSetting(SnatKind.Address, address);
    }

    /// <summary>"off", "masquerade", or an address written plainly (no zone, no mapped or shortened IPv4 forms).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SnatSetting? setting)
    {
        setting = Words.SnatModes.Parse(text) switch
        {
            SnatKind.Off => Off,
            SnatKind.Masquerade => Masquerade,
            _ => PlainAddress.TryParse(text, out IPAddress? address) ? To(address) : null,
        };
        return setting is not null;
    }

    /// <summary>Why this setting cannot serve the service <paramref name="key"/>; null when it can.</summary>
    public string? Problem(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Kind != SnatKind.Off && key.IsFirewallMark
            ? "SNAT matches a service by its address and port, which a firewall-mark service has not"
            : AddressProblem(key.AddressFamily);
    }

    private string? AddressProblem(AddressFamily family) => Address switch
    {
        null => null,
        { } a when a.AddressFamily != family => $"SNAT address {a} is not of the service's address family",
        { } a when IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast)
            || a.IsIPv6Multicast || (a.AddressFamily == AddressFamily.InterNetwork && a.GetAddressBytes()[0] >= 224)
            => $"SNAT address {a} is not a unicast address a balancer can send from",
        _ => null,
    };

    /// <summary><paramref name="text"/> in its canonical spelling when it is a setting; otherwise as given (what drift comparisons use).</summary>
    public static string? Canonical(string? text) => TryParse(text, out SnatSetting? setting) ? setting.ToString() : text;

    public override string ToString() => Kind == SnatKind.Address ? Address!.ToString() : Words.SnatModes.Word(Kind);

    // Only the forms an address is normally written in: "198.18.0.1", "fd00::1" (not "3323068417" or "::ffff:198.18.0.1").
}
