namespace Fusis.Netlink.Ipvs;

/// <summary>What became of one operation of a batch.</summary>
public sealed record IpvsOperationResult(IpvsOperation Operation, NetlinkException? Error)
{
    public bool Succeeded => Error is null;
}
