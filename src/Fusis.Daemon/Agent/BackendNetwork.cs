using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fusis.Netlink;
using Fusis.Netlink.Fou;
using Fusis.Netlink.Ipvs;
using Fusis.Netlink.Route;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Agent;

/// <summary>
/// What a direct-routing or tunnel backend needs. Every VIP local (so it accepts the packets the balancer forwards
/// unchanged): on lo, or for an IPv4 VIP behind a tunnel on the tunnel's device; with ARP settings so it never
/// answers for an IPv4 VIP on the wire (arp_ignore=1, arp_announce=2; IPv6 answers neighbour solicitations only for
/// the receiving interface's addresses). A tunnel also needs its
/// decapsulating side: the kernel's fallback device for the kind and families up (tunl0 for IPv4 in IPv4, sit0 for
/// IPv6 in IPv4, ip6tnl0 for anything in IPv6, gre0 / ip6gre0 for GRE), a GUE receive port for GUE, and where the
/// inner packet is IPv4, reverse-path filtering on that device loose when it would be strict (a decapsulated packet
/// comes in on the tunnel device, its reply leaves by another, and strict rp_filter=1 drops it), with the VIP on that
/// device (any rp_filter drops what arrives on a device that has no IPv4 address). Every change is remembered and
/// undone on <see cref="Dispose"/>, in reverse order; nothing else is touched. Kernel modules it loads stay loaded:
/// they are the kernel's, other users may hold them, and their devices are back down as they were.
/// </summary>
internal sealed partial class BackendNetwork(ILogger logger) : IDisposable
{
    private static readonly (string Path, string Value)[] ArpSysctls =
    [
        ("/proc/sys/net/ipv4/conf/all/arp_ignore", "1"),
        ("/proc/sys/net/ipv4/conf/all/arp_announce", "2"),
        ("/proc/sys/net/ipv4/conf/lo/arp_ignore", "1"),
        ("/proc/sys/net/ipv4/conf/lo/arp_announce", "2"),
    ];

    private const string Loopback = "lo";

    private static readonly string[] ModprobePaths = ["/usr/sbin/modprobe", "/sbin/modprobe"];

    // Every change, in the order made; undone last first.
    private readonly List<Action> _undo = [];
    private readonly HashSet<string> _prepared = new(StringComparer.Ordinal);
    private readonly HashSet<(string Device, IPAddress Address)> _vips = [];
    private bool _arp;

    /// <summary>Makes the VIPs this agent added exactly those of <paramref name="vips"/>, each where its method needs it.</summary>
    /// <exception cref="BackendNetworkException">A kernel module or device a tunnel needs is not available.</exception>
    public void Converge(IReadOnlyCollection<BackendVip> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        using RtnetlinkClient links = RtnetlinkClient.Open();
        var wanted = new HashSet<(string Device, IPAddress Address)>();
        foreach (BackendVip vip in vips)
        {
            if (vip.Address.AddressFamily == AddressFamily.InterNetwork && !_arp)
            {
                foreach ((string path, string value) in ArpSysctls)
                {
                    SetSysctl(path, value);
                }

                _arp = true;
            }

            wanted.Add((vip.How.Mode == IpvsForwardingMethod.Tunnel ? PrepareTunnel(links, vip) : Loopback, vip.Address));
        }

        foreach ((string device, IPAddress vip) in wanted.Where(v => !_vips.Contains(v)))
        {
            if (!links.GetAddresses(device).Any(a => a.Address.Equals(vip)))
            {
                links.AddAddress(device, vip, Prefix(vip));
                _vips.Add((device, vip));
                LogVip(logger, vip.ToString(), "added to", device);
            }
        }

        foreach ((string device, IPAddress vip) in _vips.Where(v => !wanted.Contains(v)).ToList())
        {
            links.DeleteAddress(device, vip, Prefix(vip));
            _vips.Remove((device, vip));
            LogVip(logger, vip.ToString(), "removed from", device);
        }
    }

    public void Dispose()
    {
        try
        {
            Converge([]);
        }
        catch (NetlinkException e)
        {
            LogUndoFailed(logger, e.Message);
        }

        for (int i = _undo.Count - 1; i >= 0; i--)
        {
            try
            {
                _undo[i]();
            }
            catch (Exception e) when (e is NetlinkException or IOException)
            {
                LogUndoFailed(logger, e.Message);
            }
        }

        _undo.Clear();
        _prepared.Clear();
        _arp = false;
    }

    // The receiving device of a tunnel's packets, by kind and the families of its outer and inner headers.
    private static (string Module, string Device) Decapsulator(IpvsTunnelType type, AddressFamily outer, AddressFamily inner) =>
        (type, outer, inner) switch
        {
            (IpvsTunnelType.Gre, AddressFamily.InterNetwork, _) => ("ip_gre", "gre0"),
            (IpvsTunnelType.Gre, _, _) => ("ip6_gre", "ip6gre0"),
            (_, AddressFamily.InterNetworkV6, _) => ("ip6_tunnel", "ip6tnl0"),
            (_, _, AddressFamily.InterNetworkV6) => ("sit", "sit0"),
            _ => ("ipip", "tunl0"),
        };

    // Returns where the VIP goes: an IPv4 VIP on the decapsulating device itself, because reverse-path filtering
    // (strict or loose) drops what arrives on a device without an IPv4 address; otherwise on lo.
    private string PrepareTunnel(RtnetlinkClient links, BackendVip vip)
    {
        (string module, string device) = Decapsulator(vip.How.TunnelType, vip.Outer, vip.Address.AddressFamily);
        if (_prepared.Add(device))
        {
            LoadModule(module);
            NetworkLink link = links.GetLink(device)
                ?? throw new BackendNetworkException($"module {module} is loaded but device {device} does not exist (net.core.fb_tunnels_only_for_init_net?)");
            if (!link.IsUp)
            {
                links.SetLinkUp(device);
                _undo.Add(() =>
                {
                    using RtnetlinkClient again = RtnetlinkClient.Open();
                    again.SetLinkUp(device, up: false);
                });
                LogDevice(logger, device, module);
            }
        }

        if (vip.Address.AddressFamily == AddressFamily.InterNetwork && _prepared.Add($"rp_filter {device}"))
        {
            RelaxReversePath(device);
        }

        if (vip.How.TunnelType == IpvsTunnelType.Gue && _prepared.Add($"gue {vip.How.TunnelPort} {vip.Outer}"))
        {
            OpenGuePort(vip.How.TunnelPort, vip.Outer);
        }

        return vip.Address.AddressFamily == AddressFamily.InterNetwork ? device : Loopback;
    }

    // The effective value is the larger of "all" and the device's: strict (1) only when the larger is 1.
    private void RelaxReversePath(string device)
    {
        string all = File.ReadAllText("/proc/sys/net/ipv4/conf/all/rp_filter").Trim();
        string path = $"/proc/sys/net/ipv4/conf/{device}/rp_filter";
        string own = File.ReadAllText(path).Trim();
        if (Math.Max(int.Parse(all, CultureInfo.InvariantCulture), int.Parse(own, CultureInfo.InvariantCulture)) == 1)
        {
            SetSysctl(path, "2");
            LogReversePath(logger, device);
        }
    }

    private void OpenGuePort(ushort port, AddressFamily family)
    {
        using FouClient fou = OpenFou();
        if (fou.AddGuePort(port, family))
        {
            _undo.Add(() =>
            {
                using FouClient again = OpenFou();
                again.DeletePort(port, family);
            });
            LogGuePort(logger, port);
        }
    }

    private static FouClient OpenFou()
    {
        try
        {
            return FouClient.Open();
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
        {
            throw new BackendNetworkException($"cannot open a GUE receive port: kernel module fou is not available ({e.Message})", e);
        }
    }

    private void SetSysctl(string path, string value)
    {
        string previous = File.ReadAllText(path).Trim();
        if (previous != value)
        {
            File.WriteAllText(path, value);
            _undo.Add(() => File.WriteAllText(path, previous));
        }
    }

    // A module already loaded costs nothing; otherwise modprobe, whose complaint names what is missing.
    private static void LoadModule(string module)
    {
        if (Directory.Exists($"/sys/module/{module}"))
        {
            return;
        }

        string modprobe = ModprobePaths.FirstOrDefault(File.Exists)
            ?? throw new BackendNetworkException($"kernel module {module} is not loaded and there is no modprobe to load it");
        var info = new ProcessStartInfo(modprobe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(module);
        using Process process = Process.Start(info) ?? throw new BackendNetworkException($"cannot start {modprobe} {module}");
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)) || process.ExitCode != 0 || !Directory.Exists($"/sys/module/{module}"))
        {
            throw new BackendNetworkException($"cannot load kernel module {module}: {(error.Trim() is { Length: > 0 } text ? text : "modprobe failed")}");
        }
    }

    private static int Prefix(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;

    [LoggerMessage(Level = LogLevel.Information, Message = "network: VIP {Address} {Action} {Device}")]
    private static partial void LogVip(ILogger logger, string address, string action, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "network: {Device} up for tunnelled packets (module {Module})")]
    private static partial void LogDevice(ILogger logger, string device, string module);

    [LoggerMessage(Level = LogLevel.Information, Message = "network: reverse-path filtering on {Device} loose (2), as decapsulated packets need")]
    private static partial void LogReversePath(ILogger logger, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "network: GUE receive port {Port} open")]
    private static partial void LogGuePort(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "network: could not undo a change: {Problem}")]
    private static partial void LogUndoFailed(ILogger logger, string problem);
}
