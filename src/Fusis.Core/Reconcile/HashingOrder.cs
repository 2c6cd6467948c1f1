using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Reconcile;

/// <summary>
/// The order the destinations of a hashing scheduler (mh, sh) are added in. Those schedulers build their table
/// walking the service's destinations in the kernel's list order, ties going by that order, and the kernel puts each
/// destination it adds at the head of the list: two balancers make the same table only when they added the same
/// destinations in the same order. Fusis adds them in one order, by address then port, on every balancer, and when a
/// kernel's order differs (a destination that sorts before others arrived later, or a balancer restarted) it deletes
/// the destinations from the first out of place on and adds them again in order. A destination deleted and added at
/// once comes back from the kernel's trash with its connections.
/// </summary>
public static class HashingOrder
{
    /// <summary>Whether <paramref name="scheduler"/> builds its table from the destinations' order.</summary>
    public static bool Matters(string scheduler) => scheduler is "mh" or "sh";

    /// <summary><paramref name="destinations"/> in the canonical order: by address family, address bytes, then port.</summary>
    public static IReadOnlyList<IpvsDestination> Canonical(IEnumerable<IpvsDestination> destinations) =>
        [.. destinations.Order(Comparer<IpvsDestination>.Create(Compare))];

    /// <summary>The kernel's destinations in the order they were added (the kernel lists the newest first).</summary>
    public static IReadOnlyList<IpvsDestination> AsAdded(IReadOnlyList<IpvsDestination> kernelOrder) => [.. kernelOrder.Reverse()];

    private static int Compare(IpvsDestination? x, IpvsDestination? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int address = PlainAddress.Order.Compare(x.Address, y.Address);
        return address != 0 ? address : x.Port.CompareTo(y.Port);
    }
}
