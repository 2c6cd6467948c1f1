using System.Net;
using System.Net.Sockets;
using Fusis.Core.Vocabulary;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.State;

/// <summary>Maps <see cref="DesiredState"/> to its JSON document and back; unknown words in a document are errors.</summary>
internal static class StateDocumentMapper
{
    // The service flags that are not scheduler flags (those are Words.SchedulerFlags).
    private static readonly WordList<IpvsServiceFlags> ServiceFlags = new(
        (IpvsServiceFlags.Persistent, "persistent", []),
        (IpvsServiceFlags.OnePacket, "one-packet", []));

    public static StateDocument ToDocument(DesiredState state, long sequence) => new()
    {
        Kind = StateDocument.ExpectedKind,
        Version = StateDocument.CurrentVersion,
        Sequence = sequence,
        Services = state.Services.Select(ToDocument).ToList(),
        Retired = state.Retired.Select(key => Fill(new KeyDocument(), key)).ToList(),
        DefaultSnat = state.DefaultSnat == SnatSetting.Off ? null : state.DefaultSnat.ToString(),
    };

    public static DesiredState FromDocument(StateDocument document)
    {
        if (document.Kind != StateDocument.ExpectedKind)
        {
            throw new FormatException($"it is not a Fusis desired-state file (kind '{document.Kind}', expected '{StateDocument.ExpectedKind}')");
        }

        // Version 1 spelled forwarding methods, scheduler flags and the firewall-mark protocol otherwise; the words'
        // aliases read them. Version 2 had no journal.
        if (document.Version is not (1 or 2 or StateDocument.CurrentVersion))
        {
            throw new FormatException(document.Version > StateDocument.CurrentVersion
                ? $"it was written by a newer Fusis (format version {document.Version}; this one reads {StateDocument.CurrentVersion})"
                : $"format version {document.Version} is unknown");
        }

        return new DesiredState(document.Services.Select(FromDocument).ToList(), document.Retired.Select(ToKey).ToList())
        {
            DefaultSnat = document.DefaultSnat is null ? SnatSetting.Off : Snat(document.DefaultSnat, "the default SNAT"),
        };
    }

    public static JournalRecord ToRecord(DesiredStateChange change, long sequence) => new()
    {
        Sequence = sequence,
        Removed = change.Removed.Select(key => Fill(new KeyDocument(), key)).ToList(),
        Put = change.Put.Select(p => new PlacedServiceDocument { Index = p.Index, Service = ToDocument(p.Service) }).ToList(),
        Retired = change.Retired?.Select(key => Fill(new KeyDocument(), key)).ToList(),
        DefaultSnat = change.DefaultSnat?.ToString(),
    };

    public static DesiredStateChange FromRecord(JournalRecord record) => new(
        record.Removed.Select(ToKey).ToList(),
        record.Put.Select(p => (p.Index, FromDocument(p.Service ?? throw new FormatException("a put without its service")))).ToList(),
        record.Retired?.Select(ToKey).ToList())
    {
        DefaultSnat = record.DefaultSnat is null ? null : Snat(record.DefaultSnat, "the default SNAT"),
    };

    public static ServiceDocument ToDocument(DesiredService service)
    {
        IpvsService settings = service.Service;
        var document = Fill(new ServiceDocument(), settings.Key);
        document.Name = service.Name;
        document.Scheduler = settings.Scheduler;
        document.Flags = [.. new[] { IpvsServiceFlags.Persistent, IpvsServiceFlags.OnePacket }.Where(f => (settings.Flags & f) != 0).Select(ServiceFlags.Word), .. Words.FlagWords(settings.Flags)];
        document.PersistenceTimeout = settings.Timeout;
        document.Netmask = settings.Netmask is { } mask && mask != IpvsService.DefaultNetmask(settings.Key.AddressFamily)
            ? Netmask.Format(settings.Key.AddressFamily, mask)
            : null;
        document.PersistenceEngine = settings.PersistenceEngine;
        document.Snat = service.Snat?.ToString();
        document.Check = service.Check is not { } check ? null : new CheckDocument
        {
            Type = Words.CheckTypes.Word(check.Type),
            Path = check.Type == HealthCheckType.Http ? check.Path : null,
            StatusMin = check.StatusMin,
            StatusMax = check.StatusMax,
            Port = check.Port,
            IntervalSeconds = check.Interval.TotalSeconds,
            TimeoutSeconds = check.Timeout.TotalSeconds,
            Rise = check.Rise,
            Fall = check.Fall,
            Action = Words.CheckActions.Word(check.Action),
        };
        document.DefaultForwardingMethod = service.DefaultForwardingMethod == IpvsForwardingMethod.Masquerade ? null : Words.ForwardingMethods.Word(service.DefaultForwardingMethod);
        document.Destinations = service.Destinations.Select(d => new DestinationDocument
        {
            Name = service.LabelOf(d)?.Name,
            Member = service.LabelOf(d)?.Member,
            DrainUntil = service.LabelOf(d)?.DrainUntil,
            Down = service.LabelOf(d) is { Down: true } ? true : null,
            Drained = service.LabelOf(d) is { Drained: true } ? true : null,
            Address = d.Address.ToString(),
            Port = d.Port,
            ForwardingMethod = Words.ForwardingMethods.Word(d.ForwardingMethod),
            Weight = d.Weight,
            UpperThreshold = d.UpperThreshold,
            LowerThreshold = d.LowerThreshold,
            TunnelType = d.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Words.TunnelTypes.Word(d.TunnelType) : null,
            TunnelPort = d.TunnelPort,
            TunnelChecksum = d.ForwardingMethod == IpvsForwardingMethod.Tunnel ? Words.TunnelChecksums.Word(d.TunnelChecksum) : null,
        }).ToList();
        return document;
    }

    public static DesiredService FromDocument(ServiceDocument document)
    {
        string name = document.Name ?? throw new FormatException("a service has no name");
        IpvsServiceKey key = ToKey(document);
        var service = new IpvsService
        {
            Key = key,
            Scheduler = document.Scheduler ?? throw new FormatException($"service '{name}' has no scheduler"),
            Flags = document.Flags.Aggregate(IpvsServiceFlags.None, (flags, word) => flags | (ServiceFlags.Parse(word) ?? Value(Words.SchedulerFlags, word, $"service '{name}': flag"))),
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
            ForwardingMethod = Value(Words.ForwardingMethods, d.ForwardingMethod, $"service '{name}': forwarding method"),
            Weight = d.Weight,
            UpperThreshold = d.UpperThreshold,
            LowerThreshold = d.LowerThreshold,
            TunnelType = d.TunnelType is null ? IpvsTunnelType.IpIp : Value(Words.TunnelTypes, d.TunnelType, $"service '{name}': tunnel type"),
            TunnelPort = d.TunnelPort,
            TunnelChecksum = d.TunnelChecksum is null ? IpvsTunnelChecksum.None : Value(Words.TunnelChecksums, d.TunnelChecksum, $"service '{name}': tunnel checksum"),
        }).ToList();
        var labels = document.Destinations
            .Zip(destinations)
            .Where(p => p.First.Name is not null || p.First.Member is not null || p.First.DrainUntil is not null || p.First.Down is true || p.First.Drained is true)
            .DistinctBy(p => (p.Second.Address, p.Second.Port)) // Validate reports the duplicate
            .ToDictionary(p => new IPEndPoint(p.Second.Address, p.Second.Port), p => new DestinationLabel(p.First.Name, p.First.Member)
            {
                DrainUntil = p.First.DrainUntil,
                Down = p.First.Down is true,
                Drained = p.First.Drained is true,
            });
        return new DesiredService(name, service, destinations)
        {
            DefaultForwardingMethod = document.DefaultForwardingMethod is null
                ? IpvsForwardingMethod.Masquerade
                : Value(Words.ForwardingMethods, document.DefaultForwardingMethod, $"service '{name}': default forwarding method"),
            Labels = labels,
            Check = document.Check is null ? null : ToCheck(document.Check, name),
            Snat = document.Snat is null ? null : Snat(document.Snat, $"service '{name}': SNAT"),
        };
    }

    private static T Fill<T>(T document, IpvsServiceKey key)
        where T : KeyDocument
    {
        document.AddressFamily = Words.AddressFamilies.Word(key.AddressFamily);
        document.Protocol = Words.Protocol(key);
        if (key.IsFirewallMark)
        {
            document.FirewallMark = key.FirewallMark;
        }
        else
        {
            document.Address = key.Address.ToString();
            document.Port = key.Port;
        }

        return document;
    }

    private static IpvsServiceKey ToKey(KeyDocument document)
    {
        if (document.Protocol is Words.FirewallMarkProtocol or "fwmark")
        {
            AddressFamily family = document.AddressFamily is null
                ? AddressFamily.InterNetwork
                : Value(Words.AddressFamilies, document.AddressFamily, "address family");
            return document.FirewallMark != 0
                ? IpvsServiceKey.ForFirewallMark(document.FirewallMark, family)
                : throw new FormatException("a firewall-mark service needs a non-zero firewallMark");
        }

        IpvsProtocol protocol = Value(Words.Protocols, document.Protocol, "protocol");
        return IpvsServiceKey.ForEndPoint(protocol, ParseAddress(document.Address, "service address"), document.Port);
    }

    private static IPAddress ParseAddress(string? text, string what) =>
        IPAddress.TryParse(text, out IPAddress? address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? address
            : throw new FormatException($"{what} '{text}' is not an IPv4 or IPv6 address");

    public static SnatSetting Snat(string text, string what) =>
        SnatSetting.TryParse(text, out SnatSetting? setting) ? setting : throw new FormatException($"{what} '{text}' is not {SnatSetting.Choices}");

    private static T Value<T>(WordList<T> words, string? word, string what)
        where T : struct =>
        words.Parse(word) ?? throw new FormatException($"{what} '{word}' is unknown ({words.Choices})");

    private static HealthCheck ToCheck(CheckDocument check, string service) => new()
    {
        Type = Value(Words.CheckTypes, check.Type, $"service '{service}': check type"),
        Path = check.Path ?? "/",
        StatusMin = check.StatusMin,
        StatusMax = check.StatusMax,
        Port = check.Port,
        Interval = TimeSpan.FromSeconds(check.IntervalSeconds),
        Timeout = TimeSpan.FromSeconds(check.TimeoutSeconds),
        Rise = check.Rise,
        Fall = check.Fall,
        Action = Value(Words.CheckActions, check.Action, $"service '{service}': check action"),
    };
}
