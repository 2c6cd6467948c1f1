using System.Net;
using System.Net.Sockets;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Api;

/// <summary>Requests into desired services and destinations, every problem reported by field (422) before anything changes.</summary>
public static class RequestMapper
{
    /// <summary>A whole service (POST, PUT): absent settings take their defaults.</summary>
    public static DesiredService ToService(ServiceRequest request, string? routeName)
    {
        var errors = new FieldErrors();
        string name = Name(request.Name ?? routeName, routeName, errors);
        IpvsServiceKey? key = Key(request, errors);
        var service = new DesiredService(name, new IpvsService { Key = key ?? Placeholder }, []);
        service = Settings(service, request, errors);
        errors.ThrowIfAny();
        if (request.Destinations is { } destinations)
        {
            foreach ((DestinationRequest destination, int index) in destinations.Select((d, i) => (d, i)))
            {
                service = AddDestination(service, destination, $"Destinations[{index}].");
            }
        }

        return service;
    }

    /// <summary>A copy of <paramref name="request"/> to fill in (the caller's stays as it was sent).</summary>
    public static ServiceRequest Copy(ServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (ServiceRequest)request.MemberwiseCopy();
    }

    /// <summary>PATCH: only the fields present change; the identity (address, port, protocol, mark) cannot.</summary>
    public static DesiredService Patch(DesiredService existing, ServiceRequest request)
    {
        var errors = new FieldErrors();
        if (request.Name is { } newName)
        {
            Name(newName, routeName: null, errors);
        }

        if (request.Address is not null || request.Host is not null || request.Port is not null || request.Protocol is not null
            || request.FirewallMark is not null || request.AddressFamily is not null)
        {
            IpvsServiceKey? key = Key(Merge(existing.Key, request), errors);
            if (key is not null && key != existing.Key)
            {
                errors.Add("Address", $"a service's address, port and protocol are its identity ({existing.Key}); delete it and create another");
            }
        }

        if (request.Destinations is not null)
        {
            errors.Add("Destinations", "PATCH does not change destinations; use /services/{name}/destinations, or PUT the whole service");
        }

        DesiredService patched = Settings(existing with { Name = request.Name ?? existing.Name }, request, errors);
        errors.ThrowIfAny();
        return patched;
    }

    /// <summary>Adds one destination; 409 when its address and port (or its name) are taken.</summary>
    public static DesiredService AddDestination(DesiredService service, DestinationRequest request, string prefix = "")
    {
        var errors = new FieldErrors();
        IpvsDestination? destination = Destination(service, null, request, errors, prefix);
        if (request.Name is { } name && !Core.State.DesiredStateNames.IsValid(name))
        {
            errors.Add(prefix + "Name", $"'{name}' is not valid: {DesiredStateNames.Rule}");
        }

        errors.ThrowIfAny();
        if (service.Destinations.Any(d => d.Address.Equals(destination!.Address) && d.Port == destination.Port))
        {
            throw new FusisException(FusisErrorCode.DestinationExists, $"service '{service.Name}' already has destination {destination}");
        }

        if (request.Name is { } taken && FindDestination(service, taken) is not null)
        {
            throw new FusisException(FusisErrorCode.DestinationExists, $"service '{service.Name}' already has a destination named '{taken}'");
        }

        DesiredService added = service.WithDestinations([.. service.Destinations, destination!]);
        return request.Name is null ? added : added with { Labels = WithLabel(added, destination!, new DestinationLabel(request.Name)) };
    }

    /// <summary>Checks a destination on its own, before there is a service to add it to (what DSC checks first).</summary>
    /// <exception cref="FusisException">Every problem, by field.</exception>
    public static void Validate(DestinationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        AddressFamily family = IPAddress.TryParse(request.Address ?? request.Host, out IPAddress? address) ? address.AddressFamily : AddressFamily.InterNetwork;
        var placeholder = new DesiredService("placeholder", new IpvsService { Key = IpvsServiceKey.ForFirewallMark(1, family) }, []);
        Destination(placeholder, null, request, errors, string.Empty);
        errors.ThrowIfAny();
    }

    /// <summary>PATCH of one destination: only the fields present change; address and port cannot.</summary>
    public static DesiredService PatchDestination(DesiredService service, IpvsDestination existing, DestinationRequest request)
    {
        var errors = new FieldErrors();
        IpvsDestination? patched = Destination(service, existing, request, errors, string.Empty);
        if (patched is not null && (!patched.Address.Equals(existing.Address) || patched.Port != existing.Port))
        {
            errors.Add("Address", $"a destination's address and port are its identity ({existing}); delete it and add another");
        }

        if (request.Name is not null)
        {
            errors.Add("Name", "a destination's name cannot change; delete it and add another");
        }

        errors.ThrowIfAny();
        return service.WithDestinations(service.Destinations.Select(d => d == existing ? patched! : d).ToList());
    }

    /// <summary>A destination by its name, or by "address:port" ("[v6]:port").</summary>
    public static IpvsDestination? FindDestination(DesiredService service, string id) =>
        service.Destinations.FirstOrDefault(d => string.Equals(service.LabelOf(d)?.Name, id, StringComparison.OrdinalIgnoreCase))
        ?? (IPEndPoint.TryParse(id, out IPEndPoint? endPoint)
            ? service.Destinations.FirstOrDefault(d => d.Address.Equals(endPoint.Address) && d.Port == endPoint.Port && id.Contains(':', StringComparison.Ordinal))
            : null);

    private static readonly IpvsServiceKey Placeholder = IpvsServiceKey.ForFirewallMark(1);

    private static string Name(string? name, string? routeName, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("Name", "a service needs a name");
            return string.Empty;
        }

        if (routeName is not null && !string.Equals(name, routeName, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("Name", $"the body names '{name}' but the route names '{routeName}'");
        }
        else if (!DesiredStateNames.IsValid(name))
        {
            errors.Add("Name", $"'{name}' is not valid: {DesiredStateNames.Rule}");
        }

        return name;
    }

    private static ServiceRequest Merge(IpvsServiceKey key, ServiceRequest request) => new()
    {
        Address = request.Address ?? request.Host ?? (key.IsFirewallMark ? null : key.Address.ToString()),
        Port = request.Port ?? (key.IsFirewallMark ? null : key.Port),
        Protocol = request.Protocol ?? Words.Protocol(key),
        FirewallMark = request.FirewallMark ?? (key.IsFirewallMark ? key.FirewallMark : null),
        AddressFamily = request.AddressFamily ?? (key.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4"),
    };

    private static IpvsServiceKey? Key(ServiceRequest request, FieldErrors errors)
    {
        if (request.Address is not null && request.Host is not null && request.Address != request.Host)
        {
            errors.Add("Address", "Address and Host (its original name) differ; give one");
            return null;
        }

        string protocol = request.Protocol ?? Words.Protocols.Word(IpvsProtocol.Tcp);
        if (string.Equals(protocol, Words.FirewallMarkProtocol, StringComparison.OrdinalIgnoreCase) || string.Equals(protocol, "fwmark", StringComparison.OrdinalIgnoreCase))
        {
            if (request.FirewallMark is not > 0)
            {
                errors.Add("FirewallMark", "a firewall-mark service needs a FirewallMark above 0");
            }

            if (request.Address is not null || request.Host is not null || request.Port is not null)
            {
                errors.Add("Address", "a firewall-mark service has no address or port");
            }

            AddressFamily? family = Words.AddressFamilies.Parse(request.AddressFamily ?? Words.AddressFamilies.Word(AddressFamily.InterNetwork));
            if (family is null)
            {
                errors.Add("AddressFamily", $"'{request.AddressFamily}' is not {Words.AddressFamilies.Choices}");
            }

            return request.FirewallMark is > 0 && family is { } f ? IpvsServiceKey.ForFirewallMark(request.FirewallMark.Value, f) : null;
        }

        IpvsProtocol? parsed = Words.Protocols.Parse(protocol);
        if (parsed is null)
        {
            errors.Add("Protocol", $"'{request.Protocol}' is not {string.Join(", ", Words.Protocols.Words)} or {Words.FirewallMarkProtocol}");
        }

        if (request.FirewallMark is not null)
        {
            errors.Add("FirewallMark", "only a service with Protocol fwm has a firewall mark");
        }

        string? text = request.Address ?? request.Host;
        IPAddress? address = null;
        if (text is null)
        {
            errors.Add("Address", "a service needs an address");
        }
        else if (!PlainAddress.TryParse(text, out address))
        {
            errors.Add("Address", $"'{text}' is not an IPv4 or IPv6 address (IPv4 as four dotted decimals, IPv6 without a zone)");
            address = null;
        }

        // Port 0 means "every port", which only a persistent service can use.
        int lowest = request.Persistent is > 0 ? 0 : 1;
        if (request.Port is not { } port || port < lowest || port > 65535)
        {
            errors.Add("Port", lowest == 0 ? "a port is 0 (every port, persistent services only) to 65535" : "a port is 1 to 65535");
            return null;
        }

        return parsed is { } p && address is not null ? IpvsServiceKey.ForEndPoint(p, address, (ushort)port) : null;
    }

    private static DesiredService Settings(DesiredService service, ServiceRequest request, FieldErrors errors)
    {
        IpvsService settings = service.Service;
        if (request.Scheduler is { } scheduler)
        {
            settings = settings with { Scheduler = scheduler };
        }

        IpvsServiceFlags flags = settings.Flags;
        if (request.Persistent is { } seconds)
        {
            flags = seconds > 0 ? flags | IpvsServiceFlags.Persistent : flags & ~IpvsServiceFlags.Persistent;
            settings = settings with { Timeout = seconds };
        }

        if (request.OnePacket is { } onePacket)
        {
            flags = onePacket ? flags | IpvsServiceFlags.OnePacket : flags & ~IpvsServiceFlags.OnePacket;
        }

        if (request.SchedulerFlags is { } names)
        {
            flags &= ~Words.AllSchedulerFlags;
            foreach (string flagName in names)
            {
                if (Words.SchedulerFlags.Parse(flagName) is { } known)
                {
                    flags |= known;
                }
                else
                {
                    errors.Add("SchedulerFlags", $"'{flagName}' is not {Words.SchedulerFlags.Choices}");
                }
            }
        }

        if (request.Netmask is { } netmask)
        {
            if (Core.Netmask.TryParse(settings.Key.AddressFamily, netmask, out uint mask, out string problem))
            {
                settings = settings with { Netmask = mask };
            }
            else
            {
                errors.Add("Netmask", problem);
            }
        }

        if (request.PersistenceEngine is { } engine)
        {
            settings = settings with { PersistenceEngine = engine.Length == 0 ? null : engine };
        }

        settings = settings with { Flags = flags };
        foreach ((string property, string problem) in IpvsCodec.ServiceProblems(settings))
        {
            // The kernel's timeout is the API's (and the original Fusis's) Persistent.
            errors.Add(property == nameof(IpvsService.Timeout) ? nameof(ServiceRequest.Persistent) : property, problem);
        }

        IpvsForwardingMethod mode = service.DefaultForwardingMethod;
        if (request.Mode is { } word)
        {
            if (Words.ForwardingMethods.Parse(word) is { } parsed)
            {
                mode = parsed;
            }
            else
            {
                errors.Add("Mode", $"'{word}' is not {string.Join(", ", Words.ChosenForwardingMethods)}");
            }
        }

        SnatSetting? snat = service.Snat;
        if (request.Snat is { } snatText)
        {
            if (!SnatSetting.TryParse(snatText, out snat))
            {
                errors.Add("Snat", $"'{snatText}' is not {SnatSetting.Choices}");
            }
            else if (!ReferenceEquals(settings.Key, Placeholder) && snat.Problem(settings.Key) is { } problem)
            {
                errors.Add("Snat", problem);
            }
        }

        return service with { Service = settings, DefaultForwardingMethod = mode, Snat = snat };
    }

    private static IpvsDestination? Destination(DesiredService service, IpvsDestination? existing, DestinationRequest request, FieldErrors errors, string prefix)
    {
        if (request.Address is not null && request.Host is not null && request.Address != request.Host)
        {
            errors.Add(prefix + "Address", "Address and Host (its original name) differ; give one");
        }

        IPAddress? address = existing?.Address;
        if ((request.Address ?? request.Host) is { } text)
        {
            if (!PlainAddress.TryParse(text, out address))
            {
                errors.Add(prefix + "Address", $"'{text}' is not an IPv4 or IPv6 address (IPv4 as four dotted decimals, IPv6 without a zone)");
                address = null;
            }
        }
        else if (existing is null)
        {
            errors.Add(prefix + "Address", "a destination needs an address");
        }

        int port = request.Port ?? existing?.Port ?? service.Key.Port;
        if (port is < 1 or > 65535)
        {
            errors.Add(prefix + "Port", "a port is 1 to 65535");
        }

        int weight = request.Weight ?? existing?.Weight ?? 1;
        if (weight is < 0 or > IpvsDestination.MaxWeight)
        {
            errors.Add(prefix + "Weight", $"a weight is 0 to {IpvsDestination.MaxWeight}");
        }

        IpvsForwardingMethod method = existing?.ForwardingMethod ?? service.DefaultForwardingMethod;
        if (request.Mode is { } mode)
        {
            if (Words.ForwardingMethods.Parse(mode) is { } parsed)
            {
                method = parsed;
            }
            else
            {
                errors.Add(prefix + "Mode", $"'{mode}' is not {string.Join(", ", Words.ChosenForwardingMethods)}");
            }
        }

        var next = new IpvsDestination
        {
            Address = address ?? IPAddress.None,
            Port = (ushort)Math.Clamp(port, 0, 65535),
            Weight = weight,
            ForwardingMethod = method,
            UpperThreshold = request.UpperThreshold ?? existing?.UpperThreshold ?? 0,
            LowerThreshold = request.LowerThreshold ?? existing?.LowerThreshold ?? 0,
            TunnelType = existing?.TunnelType ?? IpvsTunnelType.IpIp,
            TunnelPort = existing?.TunnelPort ?? 0,
            TunnelChecksum = existing?.TunnelChecksum ?? IpvsTunnelChecksum.None,
        };
        if (next.LowerThreshold > next.UpperThreshold)
        {
            errors.Add(prefix + "LowerThreshold", "the lower threshold cannot exceed the upper one (the kernel refuses it even when the upper is 0)");
        }

        bool tunnelOption = request.TunnelType is not null || request.TunnelPort is not null || request.TunnelChecksum is not null;
        if (tunnelOption && method != IpvsForwardingMethod.Tunnel)
        {
            errors.Add(prefix + "Mode", $"tunnel settings apply only to the tunnel forwarding method, not {Words.ForwardingMethods.Word(method)}");
        }

        if (request.TunnelType is { } type)
        {
            if (Words.TunnelTypes.Parse(type) is { } parsedType)
            {
                next = next with { TunnelType = parsedType };
            }
            else
            {
                errors.Add(prefix + "TunnelType", $"'{type}' is not {Words.TunnelTypes.Choices}");
            }
        }

        if (request.TunnelPort is { } tunnelPort)
        {
            if (tunnelPort is < 1 or > 65535)
            {
                errors.Add(prefix + "TunnelPort", "a port is 1 to 65535");
            }
            else
            {
                next = next with { TunnelPort = (ushort)tunnelPort };
            }
        }

        if (request.TunnelChecksum is { } checksum)
        {
            if (Words.TunnelChecksums.Parse(checksum) is { } parsedChecksum)
            {
                next = next with { TunnelChecksum = parsedChecksum };
            }
            else
            {
                errors.Add(prefix + "TunnelChecksum", $"'{checksum}' is not {Words.TunnelChecksums.Choices}");
            }
        }

        if (method == IpvsForwardingMethod.Tunnel && next.TunnelType == IpvsTunnelType.Gue && next.TunnelPort == 0)
        {
            errors.Add(prefix + "TunnelPort", "a GUE tunnel needs a tunnel port");
        }

        if (address is not null && address.AddressFamily != service.Key.AddressFamily && method != IpvsForwardingMethod.Tunnel)
        {
            errors.Add(prefix + "Address", $"{address} is of another address family than the service; only tunnels allow that");
        }

        return address is null ? null : next;
    }

    private static Dictionary<IPEndPoint, DestinationLabel> WithLabel(DesiredService service, IpvsDestination destination, DestinationLabel label) =>
        new(service.Labels) { [new IPEndPoint(destination.Address, destination.Port)] = label };
}
