using Fusis.Core.Ipvsadm;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>What a reconcile will write (<see cref="Operations"/>), and the kernel table it was planned against.</summary>
public sealed record ReconcilePlan(DesiredState Desired, IpvsTable Actual, IReadOnlyList<IpvsOperation> Operations);
