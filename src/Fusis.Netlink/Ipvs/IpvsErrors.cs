namespace Fusis.Netlink.Ipvs;

/// <summary>Turns the kernel's errno for an IPVS operation into a message that says what is wrong.</summary>
internal static class IpvsErrors
{
    public const string ModuleNotLoaded =
        "the IPVS generic netlink family is not available: the ip_vs module is not loaded (run 'modprobe ip_vs' as root)";

    public static NetlinkException For(IpvsOperation operation, NetlinkAck ack)
    {
        string? specific = (operation.Kind, ack.Errno) switch
        {
            (IpvsOperationKind.AddService, Errno.EEXIST) => $"service {operation.ServiceKey} already exists",
            (IpvsOperationKind.AddService or IpvsOperationKind.UpdateService, Errno.ENOENT) =>
                $"scheduler '{operation.Service!.Scheduler}'" +
                (operation.Service.PersistenceEngine is { } pe ? $" or persistence engine '{pe}'" : string.Empty) +
                " is not available in this kernel",
            (IpvsOperationKind.UpdateService or IpvsOperationKind.DeleteService, Errno.ESRCH) =>
                $"service {operation.ServiceKey} does not exist",
            (IpvsOperationKind.AddDestination or IpvsOperationKind.UpdateDestination or IpvsOperationKind.DeleteDestination, Errno.ESRCH) =>
                $"service {operation.ServiceKey} does not exist",
            (IpvsOperationKind.AddDestination, Errno.EEXIST) =>
                $"destination {operation.Destination} already exists in service {operation.ServiceKey}",
            (IpvsOperationKind.AddDestination or IpvsOperationKind.UpdateDestination, Errno.EINVAL) =>
                $"the kernel refused destination {operation.Destination}: its address must be unicast or local in this network namespace " +
                "(which needs a configured, up interface), a lower threshold must not exceed the upper one, and only tunnels may mix address families",
            (IpvsOperationKind.AddDestination or IpvsOperationKind.UpdateDestination, Errno.ERANGE) =>
                $"destination {operation.Destination}: the lower connection threshold exceeds the upper one",
            (IpvsOperationKind.UpdateDestination or IpvsOperationKind.DeleteDestination, Errno.ENOENT) =>
                $"destination {operation.Destination} does not exist in service {operation.ServiceKey}",
            _ => null,
        };
        return NetlinkException.FromAck(ack, operation.ToString(), specific);
    }
}
