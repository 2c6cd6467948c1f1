using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fusis.Core;

/// <summary>
/// Persistence netmasks as people write them, as ipvsadm does: IPv4 a dotted mask ("255.255.255.0"), IPv6 a
/// prefix length ("64"). The numbers are those of <see cref="Fusis.Netlink.Ipvs.IpvsService.Netmask"/>.
/// </summary>
public static class Netmask
{
    public static string Format(AddressFamily family, uint netmask)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            return netmask.ToString(CultureInfo.InvariantCulture);
        }

        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, netmask);
        return new IPAddress(bytes).ToString();
    }

    /// <summary>False, with the reason, for text that is not a netmask of that family.</summary>
    public static bool TryParse(AddressFamily family, string text, out uint netmask, out string problem)
    {
        netmask = 0;
        problem = string.Empty;
        if (family == AddressFamily.InterNetworkV6)
        {
            if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint prefix) && prefix is >= 1 and <= 128)
            {
                netmask = prefix;
                return true;
            }

            problem = $"an IPv6 netmask is a prefix length 1-128, not '{text}'";
            return false;
        }

        // Written as four dotted decimals (not "1.2.3", which reads as 1.2.0.3), ones then zeros.
        if (PlainAddress.TryParse(text, out IPAddress? mask) && mask.AddressFamily == AddressFamily.InterNetwork
            && BinaryPrimitives.ReadUInt32BigEndian(mask.GetAddressBytes()) is var bits && (~bits & (~bits + 1)) == 0)
        {
            netmask = bits;
            return true;
        }

        problem = $"'{text}' is not an IPv4 netmask (four dotted numbers, contiguous ones then zeros, such as 255.255.255.0)";
        return false;
    }
}
