using System.Net;
using System.Numerics;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Membership;

/// <summary>
/// IPAM for services created without an address: the lowest free host address of a configured range. An address
/// is taken when any owned, retired or kernel service uses it; allocations persist as the services' own addresses.
/// </summary>
public static class VipAllocator
{
    private const int MaxCandidates = 65536;

    public static IPAddress? Allocate(IPNetwork range, DesiredState state, IEnumerable<IpvsServiceKey> kernel)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(kernel);
        var used = state.Services.Select(s => s.Key).Concat(state.Retired).Concat(kernel)
            .Where(k => !k.IsFirewallMark)
            .Select(k => k.Address)
            .ToHashSet();
        byte[] first = range.BaseAddress.GetAddressBytes();
        int bits = first.Length * 8;
        var start = new BigInteger(first, isUnsigned: true, isBigEndian: true);
        BigInteger size = BigInteger.One << (bits - range.PrefixLength);
        // IPv4: neither the network nor the broadcast address (unless the range is a /31 or /32).
        bool skipEnds = first.Length == 4 && range.PrefixLength < 31;
        for (BigInteger offset = skipEnds ? 1 : 0; offset < size - (skipEnds ? 1 : 0) && offset < MaxCandidates; offset++)
        {
            byte[] bytes = (start + offset).ToByteArray(isUnsigned: true, isBigEndian: true);
            byte[] padded = new byte[first.Length];
            bytes.CopyTo(padded, padded.Length - bytes.Length);
            var candidate = new IPAddress(padded);
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
