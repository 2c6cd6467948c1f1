namespace Fusis.Netlink.Ipvs;

public enum IpvsOperationKind
{
    AddService,
    UpdateService,
    DeleteService,
    AddDestination,
    UpdateDestination,
    DeleteDestination,
}
