using System.Net;

namespace Fusis.Netlink.Route;

/// <summary>An address configured on an interface.</summary>
public sealed record InterfaceAddress(int LinkIndex, IPAddress Address, int PrefixLength)
{
    public override string ToString() => $"{Address}/{PrefixLength}";
}
