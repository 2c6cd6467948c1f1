using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Fusis.Core.Bgp;

/// <summary>A BGP neighbour the balancer's BGP daemon peers with: its address and its AS number, written AS@ADDRESS.</summary>
public sealed record BgpPeer(IPAddress Address, uint As)
{
    /// <summary>How a peer is written: 65000@198.18.9.1 or 65000@fd00::1.</summary>
    public const string Form = "AS@ADDRESS (for example 65000@198.18.9.1)";

    /// <summary>Reads AS@ADDRESS; false for anything else.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out BgpPeer? peer)
    {
        peer = null;
        if (text?.Split('@') is not [var number, var address]
            || !uint.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out uint asNumber)
            || !IPAddress.TryParse(address, out IPAddress? parsed))
        {
            return false;
        }

        peer = new BgpPeer(parsed, asNumber);
        return true;
    }

    public override string ToString() => $"{As}@{Address}";
}
