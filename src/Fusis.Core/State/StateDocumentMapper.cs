using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>Maps <see cref="DesiredState"/> to its JSON document and back; unknown words in a document are errors.</summary>
internal static class StateDocumentMapper
{
    private static readonly (IpvsServiceFlags Flag, string Name)[] FlagNames =
    [
        (IpvsServiceFlags.Persistent, "persistent"),
        (IpvsServiceFlags.OnePacket, "one-packet"),
        (IpvsServiceFlags.SchedulerFallback, "scheduler-fallback"),
        (IpvsServiceFlags.SchedulerPort, "scheduler-port"),
        (IpvsServiceFlags.SchedulerFlag3, "scheduler-flag-3"),
    ];

    private static readonly (IpvsForwardingMethod Method, string Name)[] MethodNames =
    [
        (IpvsForwardingMethod.Masquerade, "masquerade"),
        (IpvsForwardingMethod.DirectRoute, "direct-route"),
        (IpvsForwardingMethod.Tunnel, "tunnel"),
        (IpvsForwardingMethod.Local, "local"),
    ];

    private static readonly (IpvsTunnelType Type, string Name)[] TunnelNames =
        [(IpvsTunnelType.IpIp, "ipip"), (IpvsTunnelType.Gue, "gue"), (IpvsTunnelType.Gre, "gre")];

    private static readonly (IpvsTunnelChecksum Checksum, string Name)[] ChecksumNames =
        [(IpvsTunnelChecksum.None, "none"), (IpvsTunnelChecksum.Checksum, "checksum"), (IpvsTunnelChecksum.RemoteChecksum, "remote-checksum")];

    public static StateDocument ToDocument(DesiredState state) => new()
    {
        Kind = StateDocument.ExpectedKind,
        Version = StateDocument.CurrentVersion,
        Services = state.Services.Select(ToDocument).ToList(),
        Retired = state.Retired.Select(key => Fill(new KeyDocument(), key)).ToList(),
    };

    public static DesiredState FromDocument(StateDocument document)
    {
        if (document.Kind != StateDocument.ExpectedKind)
        {
            throw new FormatException($"it is not a Fusis desired-state file (kind '{document.Kind}', expected '{StateDocument.ExpectedKind}')");
        }

        if (document.Version != StateDocument.CurrentVersion)
        {
            throw new FormatException(document.Version > StateDocument.CurrentVersion
                ? $"it was written by a newer Fusis (format version {document.Version}; this one reads {StateDocument.CurrentVersion})"
                : $"format version {document.Version} is unknown");
        }

        return new DesiredState(document.Services.Select(FromDocument).ToList(), document.Retired.Select(ToKey).ToList());
    }

    private static ServiceDocument ToDocument(DesiredService service)
    {
        IpvsService settings = service.Service;
        var document = Fill(new ServiceDocument(), settings.Key);
        document.Name = service.Name;
        document.Scheduler = settings.Scheduler;
        document.Flags = FlagNames.Where(f => (settings.Flags & f.Flag) != 0).Select(f => f.Name).ToList();
        document.PersistenceTimeout = settings.Timeout;
        document.Netmask = settings.Netmask is { } mask && mask != IpvsService.DefaultNetmask(settings.Key.AddressFamily)
            ? Netmask.Format(settings.Key.AddressFamily, mask)
            : null;
        document.PersistenceEngine = settings.PersistenceEngine;
        document.Check = service.Check is not { } check ? null : new CheckDocument
        {
            Type = check.Type.ToString().ToLowerInvariant(),
            Path = check.Type == HealthCheckType.Http ? check.Path : null,
            StatusMin = check.StatusMin,
            StatusMax = check.StatusMax,
            Port = check.Port,
            IntervalSeconds = check.Interval.TotalSeconds,
            TimeoutSeconds = check.Timeout.TotalSeconds,
            Rise = check.Rise,
            Fall = check.Fall,
            Action = check.Action.ToString().ToLowerInvariant(),
        };
        document.DefaultForwardingMethod = service.DefaultForwardingMethod == IpvsForwardingMethod.Masquerade ? null : Name(MethodNames, service.DefaultForwardingMethod);
        document.Destinations = service.Destinations.Select(d => new DestinationDocument
        {
            Name = service.LabelOf(d)?.Name,
            Member = service.LabelOf(d)?.Member,
            DrainUntil = service.LabelOf(d)?.DrainUntil,
            Down = service.LabelOf(d) is { Down: true } ? true : null,
            Address = d.Address.ToString(),
            Port = d.Port,
            ForwardingMethod = Name(MethodNames, d.ForwardingMethod),
            Weight = d.Weight,
            UpperThreshold = d.UpperThreshold,
            LowerThreshold = d.LowerThreshold,
            TunnelType = d.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Name(TunnelNames, d.TunnelType) : null,
            TunnelPort = d.TunnelPort,
            TunnelChecksum = d.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Name(ChecksumNames, d.TunnelChecksum) : null,
        }).ToList();
        return document;
    }

    private static DesiredService FromDocument(ServiceDocument document)
    {
        string name = document.Name ?? throw new FormatException("a service has no name");
        IpvsServiceKey key = ToKey(document);
        var service = new IpvsService
        {
            Key = key,
            Scheduler = document.Scheduler ?? throw new FormatException($"service '{name}' has no scheduler"),
            Flags = document.Flags.Aggregate(IpvsServiceFlags.None, (flags, word) => flags | Value(FlagNames, word, $"service '{name}': flag")),
            Timeout = document.PersistenceTimeout,
            Netmask = document.Netmask is null ? null
                : Fusis.Core.Netmask.TryParse(key.AddressFamily, document.Netmask, out uint mask, out string problem) ? mask
                : throw new FormatException($"service '{name}': {problem}"),
            PersistenceEngine = document.PersistenceEngine,
        };
        var destinations = document.Destinations.Select(d => new IpvsDestination
        {
            Address = ParseAddress(d.Address, $"service '{name}': destination address"),
            Port = d.Port,
            ForwardingMethod = Value(MethodNames, d.ForwardingMethod, $"service '{name}': forwarding method"),
            Weight = d.Weight,
            UpperThreshold = d.UpperThreshold,
            LowerThreshold = d.LowerThreshold,
            TunnelType = d.TunnelType is null ? IpvsTunnelType.IpIp : Value(TunnelNames, d.TunnelType, $"service '{name}': tunnel type"),
            TunnelPort = d.TunnelPort,
            TunnelChecksum = d.TunnelChecksum is null ? IpvsTunnelChecksum.None : Value(ChecksumNames, d.TunnelChecksum, $"service '{name}': tunnel checksum"),
        }).ToList();
        var labels = document.Destinations
            .Zip(destinations)
            .Where(p => p.First.Name is not null || p.First.Member is not null || p.First.DrainUntil is not null || p.First.Down is true)
            .DistinctBy(p => (p.Second.Address, p.Second.Port)) // Validate reports the duplicate
            .ToDictionary(p => new IPEndPoint(p.Second.Address, p.Second.Port), p => new DestinationLabel(p.First.Name, p.First.Member) { DrainUntil = p.First.DrainUntil, Down = p.First.Down is true });
        return new DesiredService(name, service, destinations)
        {
            DefaultForwardingMethod = document.DefaultForwardingMethod is null
                ? IpvsForwardingMethod.Masquerade
                : Value(MethodNames, document.DefaultForwardingMethod, $"service '{name}': default forwarding method"),
            Labels = labels,
            Check = document.Check is null ? null : ToCheck(document.Check, name),
        };
    }

    private static T Fill<T>(T document, IpvsServiceKey key)
        where T : KeyDocument
    {
        document.AddressFamily = key.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
        if (key.IsFirewallMark)
        {
            document.Protocol = "fwmark";
            document.FirewallMark = key.FirewallMark;
        }
        else
        {
            document.Protocol = key.Protocol.ToString().ToLowerInvariant();
            document.Address = key.Address.ToString();
            document.Port = key.Port;
        }

        return document;
    }

    private static IpvsServiceKey ToKey(KeyDocument document)
    {
        if (document.Protocol == "fwmark")
        {
            AddressFamily family = document.AddressFamily switch
            {
                "ipv4" or null => AddressFamily.InterNetwork,
                "ipv6" => AddressFamily.InterNetworkV6,
                var other => throw new FormatException($"unknown address family '{other}' (ipv4 or ipv6)"),
            };
            return document.FirewallMark != 0
                ? IpvsServiceKey.ForFirewallMark(document.FirewallMark, family)
                : throw new FormatException("a firewall-mark service needs a non-zero firewallMark");
        }

        IpvsProtocol protocol = document.Protocol switch
        {
            "tcp" => IpvsProtocol.Tcp,
            "udp" => IpvsProtocol.Udp,
            "sctp" => IpvsProtocol.Sctp,
            var other => throw new FormatException($"unknown protocol '{other}' (tcp, udp, sctp or fwmark)"),
        };
        return IpvsServiceKey.ForEndPoint(protocol, ParseAddress(document.Address, "service address"), document.Port);
    }

    private static IPAddress ParseAddress(string? text, string what) =>
        IPAddress.TryParse(text, out IPAddress? address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? address
            : throw new FormatException($"{what} '{text}' is not an IPv4 or IPv6 address");

    private static string Name<T>((T Value, string Name)[] names, T value)
        where T : struct, Enum =>
        names.First(n => EqualityComparer<T>.Default.Equals(n.Value, value)).Name;

    private static T Value<T>((T Value, string Name)[] names, string? word, string what)
        where T : struct, Enum
    {
        foreach ((T value, string name) in names)
        {
            if (name == word)
            {
                return value;
            }
        }

        throw new FormatException($"{what} '{word}' is unknown ({string.Join(", ", names.Select(n => n.Name))})");
    }

    private static HealthCheck ToCheck(CheckDocument check, string service) => new()
    {
        Type = check.Type switch
        {
            "tcp" => HealthCheckType.Tcp,
            "http" => HealthCheckType.Http,
            var other => throw new FormatException($"service '{service}': check type '{other}' is unknown (tcp or http)"),
        },
        Path = check.Path ?? "/",
        StatusMin = check.StatusMin,
        StatusMax = check.StatusMax,
        Port = check.Port,
        Interval = TimeSpan.FromSeconds(check.IntervalSeconds),
        Timeout = TimeSpan.FromSeconds(check.TimeoutSeconds),
        Rise = check.Rise,
        Fall = check.Fall,
        Action = check.Action switch
        {
            "remove" => HealthCheckAction.Remove,
            "weight0" => HealthCheckAction.Weight0,
            var other => throw new FormatException($"service '{service}': check action '{other}' is unknown (remove or weight0)"),
        },
    };
}
