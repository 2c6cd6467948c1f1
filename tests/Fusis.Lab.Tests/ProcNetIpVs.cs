using System.Globalization;
using System.Net;

namespace Fusis.Lab.Tests;

/// <summary>A reader of the kernel's own text view of the IPVS table, independent of netlink and ipvsadm.</summary>
internal static class ProcNetIpVs
{
    public sealed record Service(string Protocol, IPEndPoint EndPoint, string Scheduler);

    /// <summary>The version line, e.g. "IP Virtual Server version 1.2.1 (size=4096)".</summary>
    public static string VersionLine() => File.ReadLines(LabKernel.ProcNetIpVs).First();

    /// <summary>IPv4 TCP/UDP/SCTP services: lines such as "TCP  C612000A:1F90 wlc".</summary>
    public static IReadOnlyList<Service> Services()
    {
        var services = new List<Service>();
        foreach (string line in File.ReadLines(LabKernel.ProcNetIpVs))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[0] is not ("TCP" or "UDP" or "SCTP"))
            {
                continue;
            }

            string[] addressAndPort = fields[1].Split(':');
            if (addressAndPort.Length != 2 || addressAndPort[0].Length != 8)
            {
                continue; // IPv6 services print their address differently; not needed here.
            }

            var address = new IPAddress(Convert.FromHexString(addressAndPort[0]));
            int port = int.Parse(addressAndPort[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            services.Add(new Service(fields[0], new IPEndPoint(address, port), fields[2]));
        }

        return services;
    }
}
