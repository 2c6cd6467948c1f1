using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Fusis.Core;

/// <summary>
/// An IP address as people write one, and nothing looser: IPv4 as four dotted decimals exactly as it prints
/// ("198.18.0.1", not "3323068417", "0xC6120001", "198.0x12.0.1" or "1.2.3"), IPv6 without a zone ("fe80::1%eth0" names
/// an interface that a VIP or destination cannot keep) and not IPv4-mapped. The API, the cmdlets' addresses and SNAT
/// addresses all read them so.
/// </summary>
public static class PlainAddress
{
    /// <summary>Addresses in numeric order: IPv4 before IPv6, then by their bytes.</summary>
    public static Comparer<IPAddress> Order { get; } = Comparer<IPAddress>.Create((x, y) =>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return x.AddressFamily != y.AddressFamily ? x.AddressFamily.CompareTo(y.AddressFamily) : x.GetAddressBytes().AsSpan().SequenceCompareTo(y.GetAddressBytes());
    });

    public static bool TryParse(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text is null || !IPAddress.TryParse(text, out IPAddress? parsed) || text.Contains('%', StringComparison.Ordinal) || parsed.IsIPv4MappedToIPv6
            || (parsed.AddressFamily == AddressFamily.InterNetwork && parsed.ToString() != text))
        {
            return false;
        }

        address = parsed;
        return true;
    }
}
