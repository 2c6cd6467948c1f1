using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Ipvsadm;

/// <summary>
/// The rules format of `ipvsadm -S -n` / `ipvsadm -R`: one -A line per service, one -a line per destination.
/// <see cref="Write"/> prints what ipvsadm 1.31 prints, in its option order, plus what it leaves out but accepts
/// back (-M without -p, thresholds -x/-y), so nothing is lost; <see cref="Parse"/> reads ipvsadm's output and
/// the same options in any order. Host names and port names are refused: save with `ipvsadm -S -n`.
/// </summary>
public static class IpvsadmRules
{
    /// <summary>ipvsadm's persistence timeout when -p has no value.</summary>
    public const uint DefaultPersistenceTimeout = 360;

    public static string Write(IpvsTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var text = new StringBuilder();
        foreach (IpvsTableService entry in table.Services)
        {
            IpvsService service = entry.Service;
            string key = KeyOptions(service.Key);
            text.Append(CultureInfo.InvariantCulture, $"-A {key} -s {service.Scheduler}");
            if ((service.Flags & IpvsServiceFlags.Persistent) != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" -p {service.Timeout}");
            }

            if (service.EffectiveNetmask != IpvsService.DefaultNetmask(service.Key.AddressFamily))
            {
                text.Append(" -M ").Append(Netmask.Format(service.Key.AddressFamily, service.EffectiveNetmask));
            }

            if (service.PersistenceEngine is { Length: > 0 } engine)
            {
                text.Append(" --pe ").Append(engine);
            }

            if ((service.Flags & IpvsServiceFlags.OnePacket) != 0)
            {
                text.Append(" -o");
            }

            if (SchedulerFlagNames(service) is { Length: > 0 } flags)
            {
                text.Append(" -b ").Append(flags);
            }

            text.Append('\n');
            foreach (IpvsDestination destination in entry.Destinations)
            {
                text.Append(CultureInfo.InvariantCulture, $"-a {key} -r {FormatEndPoint(destination.Address, destination.Port)} {ForwardingOption(destination.ForwardingMethod)} -w {destination.Weight}");
                if (destination.UpperThreshold != 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $" -x {destination.UpperThreshold}");
                }

                if (destination.LowerThreshold != 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $" -y {destination.LowerThreshold}");
                }

                if (destination.ForwardingMethod == IpvsForwardingMethod.Tunnel)
                {
                    text.Append(" --tun-type ").Append(destination.TunnelType.ToString().ToLowerInvariant());
                    if (destination.TunnelType == IpvsTunnelType.Gue)
                    {
                        text.Append(CultureInfo.InvariantCulture, $" --tun-port {destination.TunnelPort}");
                    }

                    if (destination.TunnelType != IpvsTunnelType.IpIp)
                    {
                        text.Append(destination.TunnelChecksum switch
                        {
                            IpvsTunnelChecksum.Checksum => " --tun-csum",
                            IpvsTunnelChecksum.RemoteChecksum => " --tun-remcsum",
                            _ => " --tun-nocsum",
                        });
                    }
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <exception cref="IpvsadmFormatException">A line that is not an ipvsadm rule Fusis understands, or a destination before its service.</exception>
    public static IpvsTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var services = new List<(IpvsService Service, List<IpvsDestination> Destinations)>();
        var index = new Dictionary<IpvsServiceKey, int>();
        string[] lines = text.Split('\n');
        var keys = new LastKey();
        for (int number = 1; number <= lines.Length; number++)
        {
            string line = lines[number - 1].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var tokens = new Tokens(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), number, line);
            string command = tokens.Next("a command");
            if (command is "-A" or "--add-service")
            {
                IpvsService service = ParseService(ref tokens, keys);
                if (index.ContainsKey(service.Key))
                {
                    throw tokens.Error($"service {service.Key} is defined twice");
                }

                index[service.Key] = services.Count;
                services.Add((service, []));
            }
            else if (command is "-a" or "--add-server")
            {
                (IpvsServiceKey key, IpvsDestination destination) = ParseDestination(ref tokens, keys);
                if (!index.TryGetValue(key, out int position))
                {
                    throw tokens.Error($"destination for service {key}, which no earlier -A line defines");
                }

                if (services[position].Destinations.Any(d => d.Address.Equals(destination.Address) && d.Port == destination.Port))
                {
                    throw tokens.Error($"destination {destination} is defined twice for service {key}");
                }

                services[position].Destinations.Add(destination);
            }
            else
            {
                throw tokens.Error($"'{command}' is not a rule Fusis reads (only -A and -a, as ipvsadm -S writes them)");
            }
        }

        return new IpvsTable(services.Select(s => new IpvsTableService(s.Service, s.Destinations)).ToList());
    }

    private static IpvsService ParseService(ref Tokens tokens, LastKey keys)
    {
        string scheduler = IpvsService.DefaultScheduler;
        IpvsServiceFlags flags = IpvsServiceFlags.None;
        uint timeout = 0;
        string? netmask = null, engine = null, schedulerFlags = null;
        var service = new ServiceOptions();
        while (tokens.TryNext(out string option))
        {
            if (service.TryRead(ref tokens, option, keys))
            {
                continue;
            }

            switch (option)
            {
                case "-s" or "--scheduler":
                    scheduler = tokens.Next("a scheduler");
                    break;
                case "-p" or "--persistent":
                    flags |= IpvsServiceFlags.Persistent;
                    timeout = tokens.TryNextNumber(out uint seconds) ? seconds : DefaultPersistenceTimeout;
                    break;
                case "-M" or "--netmask":
                    netmask = tokens.Next("a netmask");
                    break;
                case "--pe":
                    engine = tokens.Next("a persistence engine");
                    break;
                case "-o" or "--ops":
                    flags |= IpvsServiceFlags.OnePacket;
                    break;
                case "-b" or "--sched-flags":
                    schedulerFlags = tokens.Next("scheduler flags");
                    break;
                default:
                    throw tokens.Error($"unknown service option '{option}'");
            }
        }

        IpvsServiceKey key = service.Resolve(ref tokens);
        if (schedulerFlags is not null)
        {
            flags |= ParseSchedulerFlags(ref tokens, schedulerFlags);
        }

        return new IpvsService
        {
            Key = key,
            Scheduler = scheduler,
            Flags = flags,
            Timeout = timeout,
            Netmask = netmask is null ? null
                : Fusis.Core.Netmask.TryParse(key.AddressFamily, netmask, out uint mask, out string problem) ? mask : throw tokens.Error(problem),
            PersistenceEngine = engine,
        };
    }

    private static (IpvsServiceKey Key, IpvsDestination Destination) ParseDestination(ref Tokens tokens, LastKey keys)
    {
        IPEndPoint? real = null;
        var method = IpvsForwardingMethod.DirectRoute; // ipvsadm's default
        int weight = 1;
        uint upper = 0, lower = 0;
        ushort tunnelPort = 0;
        var tunnelType = IpvsTunnelType.IpIp;
        var checksum = IpvsTunnelChecksum.None;
        var service = new ServiceOptions();
        while (tokens.TryNext(out string option))
        {
            if (service.TryRead(ref tokens, option, keys))
            {
                continue;
            }

            switch (option)
            {
                case "-r" or "--real-server":
                    real = ParseEndPoint(ref tokens, tokens.Next("a real server"), portRequired: false);
                    break;
                case "-g" or "--gatewaying":
                    method = IpvsForwardingMethod.DirectRoute;
                    break;
                case "-i" or "--ipip":
                    method = IpvsForwardingMethod.Tunnel;
                    break;
                case "-m" or "--masquerading":
                    method = IpvsForwardingMethod.Masquerade;
                    break;
                case "-w" or "--weight":
                    weight = tokens.NextNumber<int>("a weight");
                    break;
                case "-x" or "--u-threshold":
                    upper = tokens.NextNumber<uint>("an upper threshold");
                    break;
                case "-y" or "--l-threshold":
                    lower = tokens.NextNumber<uint>("a lower threshold");
                    break;
                case "--tun-type":
                    string type = tokens.Next("a tunnel type");
                    tunnelType = type switch
                    {
                        "ipip" => IpvsTunnelType.IpIp,
                        "gue" => IpvsTunnelType.Gue,
                        "gre" => IpvsTunnelType.Gre,
                        _ => throw tokens.Error($"unknown tunnel type '{type}' (ipip, gue or gre)"),
                    };
                    break;
                case "--tun-port":
                    tunnelPort = tokens.NextNumber<ushort>("a tunnel port");
                    break;
                case "--tun-nocsum":
                    checksum = IpvsTunnelChecksum.None;
                    break;
                case "--tun-csum":
                    checksum = IpvsTunnelChecksum.Checksum;
                    break;
                case "--tun-remcsum":
                    checksum = IpvsTunnelChecksum.RemoteChecksum;
                    break;
                default:
                    throw tokens.Error($"unknown destination option '{option}'");
            }
        }

        IpvsServiceKey key = service.Resolve(ref tokens);
        if (real is null)
        {
            throw tokens.Error("a destination needs -r");
        }

        if (weight is < 0 or > IpvsDestination.MaxWeight)
        {
            throw tokens.Error($"weight {weight} is outside 0-{IpvsDestination.MaxWeight}");
        }

        return (key, new IpvsDestination
        {
            Address = real.Address,
            // ipvsadm: a destination without a port takes the service's
            Port = real.Port == 0 && !key.IsFirewallMark ? key.Port : (ushort)real.Port,
            ForwardingMethod = method,
            Weight = weight,
            UpperThreshold = upper,
            LowerThreshold = lower,
            TunnelType = method == IpvsForwardingMethod.Tunnel ? tunnelType : IpvsTunnelType.IpIp,
            TunnelPort = tunnelPort,
            TunnelChecksum = checksum,
        });
    }

    // The options that name a service, shared by -A and -a lines.
    private struct ServiceOptions
    {
        private IpvsServiceKey? _endPoint;
        private uint _mark;
        private bool _ipv6;

        public bool TryRead(ref Tokens tokens, string option, LastKey keys)
        {
            switch (option)
            {
                case "-t" or "--tcp-service" or "-u" or "--udp-service" or "--sctp-service":
                    string text = tokens.Next("a service address");
                    _endPoint = keys.Get(option, text) ?? keys.Remember(option, text, ParseKey(ref tokens, option, text));
                    return true;
                case "-f" or "--fwmark-service":
                    _mark = tokens.NextNumber<uint>("a firewall mark");
                    return true;
                case "-6" or "--ipv6":
                    _ipv6 = true;
                    return true;
                default:
                    return false;
            }
        }

        public readonly IpvsServiceKey Resolve(ref Tokens tokens)
        {
            if (_mark == 0)
            {
                return _endPoint ?? throw tokens.Error("no service address (-t, -u, --sctp-service or -f)");
            }

            return _endPoint is null
                ? IpvsServiceKey.ForFirewallMark(_mark, _ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)
                : throw tokens.Error("a service is either -t/-u/--sctp-service or -f, not both");
        }
    }

    // The -a lines after an -A line name its service again: the last one parsed is kept.
    private sealed class LastKey
    {
        private string _option = string.Empty;
        private string _text = string.Empty;
        private IpvsServiceKey? _key;

        public IpvsServiceKey? Get(string option, string text) => option == _option && text == _text ? _key : null;

        public IpvsServiceKey Remember(string option, string text, IpvsServiceKey key)
        {
            (_option, _text, _key) = (option, text, key);
            return key;
        }
    }

    private static IpvsServiceKey ParseKey(ref Tokens tokens, string option, string text)
    {
        IpvsProtocol protocol = option switch
        {
            "-t" or "--tcp-service" => IpvsProtocol.Tcp,
            "-u" or "--udp-service" => IpvsProtocol.Udp,
            _ => IpvsProtocol.Sctp,
        };
        IPEndPoint endPoint = ParseEndPoint(ref tokens, text, portRequired: true);
        return IpvsServiceKey.ForEndPoint(protocol, endPoint.Address, (ushort)endPoint.Port);
    }

    // "198.18.0.1:80", "[fd00::1]:443", and for real servers also a bare address.
    private static IPEndPoint ParseEndPoint(ref Tokens tokens, string text, bool portRequired)
    {
        string host = text, port = string.Empty;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw tokens.Error($"'{text}' has no closing ']'");
            }

            host = text[1..close];
            port = text[(close + 1)..].TrimStart(':');
        }
        else if (text.AsSpan().Count(':') == 1)
        {
            host = text[..text.IndexOf(':', StringComparison.Ordinal)];
            port = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }

        if (!IPAddress.TryParse(host, out IPAddress? address) || host.Contains('%', StringComparison.Ordinal))
        {
            throw tokens.Error($"'{host}' is not an IP address (host names are not read: save with ipvsadm -S -n)");
        }

        if (port.Length == 0)
        {
            return portRequired ? throw tokens.Error($"'{text}' has no port") : new IPEndPoint(address, 0);
        }

        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out ushort number))
        {
            throw tokens.Error($"'{port}' is not a port number 0-65535 (port names are not read: save with ipvsadm -S -n)");
        }

        return new IPEndPoint(address, number);
    }

    private static IpvsServiceFlags ParseSchedulerFlags(ref Tokens tokens, string text)
    {
        IpvsServiceFlags flags = IpvsServiceFlags.None;
        foreach (string name in text.Split(','))
        {
            flags |= name switch
            {
                "sh-fallback" or "mh-fallback" or "flag-1" => IpvsServiceFlags.SchedulerFallback,
                "sh-port" or "mh-port" or "flag-2" => IpvsServiceFlags.SchedulerPort,
                "flag-3" => IpvsServiceFlags.SchedulerFlag3,
                _ => throw tokens.Error($"unknown scheduler flag '{name}'"),
            };
        }

        return flags;
    }

    // As ipvsadm names them: by the scheduler for sh and mh, flag-N otherwise, in bit order.
    private static string SchedulerFlagNames(IpvsService service)
    {
        string prefix = service.Scheduler is "sh" or "mh" ? service.Scheduler : string.Empty;
        var names = new List<string>();
        if ((service.Flags & IpvsServiceFlags.SchedulerFallback) != 0)
        {
            names.Add(prefix.Length > 0 ? $"{prefix}-fallback" : "flag-1");
        }

        if ((service.Flags & IpvsServiceFlags.SchedulerPort) != 0)
        {
            names.Add(prefix.Length > 0 ? $"{prefix}-port" : "flag-2");
        }

        if ((service.Flags & IpvsServiceFlags.SchedulerFlag3) != 0)
        {
            names.Add("flag-3");
        }

        return string.Join(',', names);
    }

    private static string KeyOptions(IpvsServiceKey key)
    {
        if (key.IsFirewallMark)
        {
            return key.AddressFamily == AddressFamily.InterNetworkV6
                ? string.Create(CultureInfo.InvariantCulture, $"-f {key.FirewallMark} -6")
                : string.Create(CultureInfo.InvariantCulture, $"-f {key.FirewallMark}");
        }

        string option = key.Protocol switch
        {
            IpvsProtocol.Tcp => "-t",
            IpvsProtocol.Udp => "-u",
            _ => "--sctp-service",
        };
        return $"{option} {FormatEndPoint(key.Address, key.Port)}";
    }

    private static string FormatEndPoint(IPAddress address, ushort port) => new IPEndPoint(address, port).ToString();

    private static string ForwardingOption(IpvsForwardingMethod method) => method switch
    {
        IpvsForwardingMethod.DirectRoute => "-g",
        IpvsForwardingMethod.Tunnel => "-i",
        _ => "-m", // masquerading; the kernel turns it into local delivery for its own addresses
    };

    private ref struct Tokens(string[] items, int lineNumber, string line)
    {
        private int _next;

        public bool TryNext(out string token)
        {
            token = _next < items.Length ? items[_next++] : string.Empty;
            return token.Length > 0;
        }

        public string Next(string what) =>
            _next < items.Length ? items[_next++] : throw Error($"{what} is missing");

        public T NextNumber<T>(string what)
            where T : System.Numerics.IBinaryInteger<T>
        {
            string text = Next(what);
            return T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out T? value)
                ? value
                : throw Error($"'{text}' is not {what}");
        }

        public bool TryNextNumber(out uint value)
        {
            if (_next < items.Length && uint.TryParse(items[_next], NumberStyles.None, CultureInfo.InvariantCulture, out value))
            {
                _next++;
                return true;
            }

            value = 0;
            return false;
        }

        public readonly IpvsadmFormatException Error(string problem) => new(lineNumber, line, problem);
    }
}
