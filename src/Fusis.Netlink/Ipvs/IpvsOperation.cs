namespace Fusis.Netlink.Ipvs;

/// <summary>One kernel write, as a batch (<see cref="IpvsClient.Apply"/>) and a plan (-WhatIf) list them.</summary>
public sealed record IpvsOperation
{
    private IpvsOperation(IpvsOperationKind kind, IpvsServiceKey serviceKey, IpvsService? service, IpvsDestination? destination)
    {
        Kind = kind;
        ServiceKey = serviceKey;
        Service = service;
        Destination = destination;
    }

    public IpvsOperationKind Kind { get; }

    public IpvsServiceKey ServiceKey { get; }

    /// <summary>The whole service, for AddService and UpdateService.</summary>
    public IpvsService? Service { get; }

    /// <summary>The destination, for the destination operations (for DeleteDestination only its address and port count).</summary>
    public IpvsDestination? Destination { get; }

    public static IpvsOperation AddService(IpvsService service) =>
        new(IpvsOperationKind.AddService, NotNull(service).Key, service, null);

    public static IpvsOperation UpdateService(IpvsService service) =>
        new(IpvsOperationKind.UpdateService, NotNull(service).Key, service, null);

    public static IpvsOperation DeleteService(IpvsServiceKey key) =>
        new(IpvsOperationKind.DeleteService, NotNull(key), null, null);

    public static IpvsOperation AddDestination(IpvsServiceKey key, IpvsDestination destination) =>
        new(IpvsOperationKind.AddDestination, NotNull(key), null, NotNull(destination));

    public static IpvsOperation UpdateDestination(IpvsServiceKey key, IpvsDestination destination) =>
        new(IpvsOperationKind.UpdateDestination, NotNull(key), null, NotNull(destination));

    public static IpvsOperation DeleteDestination(IpvsServiceKey key, IpvsDestination destination) =>
        new(IpvsOperationKind.DeleteDestination, NotNull(key), null, NotNull(destination));

    public override string ToString() => Kind switch
    {
        IpvsOperationKind.AddService => $"add service {ServiceKey} (scheduler {Service!.Scheduler})",
        IpvsOperationKind.UpdateService => $"update service {ServiceKey} (scheduler {Service!.Scheduler})",
        IpvsOperationKind.DeleteService => $"delete service {ServiceKey}",
        IpvsOperationKind.AddDestination => $"add destination {Destination} to service {ServiceKey}",
        IpvsOperationKind.UpdateDestination => $"update destination {Destination} of service {ServiceKey}",
        IpvsOperationKind.DeleteDestination => $"delete destination {Destination} from service {ServiceKey}",
        _ => Kind.ToString(),
    };

    private static T NotNull<T>(T? value)
        where T : class => value ?? throw new ArgumentNullException(nameof(value));
}
