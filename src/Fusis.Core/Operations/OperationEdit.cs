using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// An operation applied to a desired state: the next state; the service (by name) and destination the response is
/// about; whether it created the service; services to converge in the kernel even where the state did not change; and
/// whether Fusis's SNAT tables are rewritten whole even where they look right.
/// </summary>
public sealed record OperationEdit(DesiredState Next, string? Service = null, IpvsDestination? Destination = null, bool Created = false)
{
    public IReadOnlySet<IpvsServiceKey> Converge { get; init; } = new HashSet<IpvsServiceKey>();

    public bool RewriteNat { get; init; }
}
