using System.Globalization;
using System.Net;
using System.Text;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Bench;

/// <summary>
/// The benchmarks' table: services 198.18.0.0 and up (port 80, wrr), each with the same destinations 198.19.0.1 and up
/// (port 8080, NAT, weights 1..M): as kernel operations, as ipvsadm -R rules, and as a desired state (svc-0, svc-1...).
/// </summary>
internal sealed record BenchTable(IReadOnlyList<IpvsOperation> Operations, string Rules, DesiredState Desired)
{
    public static BenchTable Build(int services, int destinations)
    {
        var operations = new List<IpvsOperation>(services * (destinations + 1));
        var rules = new StringBuilder();
        var desired = new List<DesiredService>(services);
        for (int s = 0; s < services; s++)
        {
            IPAddress vip = Vip(s);
            IpvsServiceKey key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, vip, 80);
            var service = new IpvsService { Key = key, Scheduler = "wrr" };
            operations.Add(IpvsOperation.AddService(service));
            rules.Append(CultureInfo.InvariantCulture, $"-A -t {vip}:80 -s wrr\n");
            var reals = new List<IpvsDestination>(destinations);
            for (int d = 0; d < destinations; d++)
            {
                var real = new IPAddress([198, 19, (byte)(d >> 8), (byte)(d + 1)]);
                var destination = new IpvsDestination { Address = real, Port = 8080, Weight = d + 1 };
                reals.Add(destination);
                operations.Add(IpvsOperation.AddDestination(key, destination));
                rules.Append(CultureInfo.InvariantCulture, $"-a -t {vip}:80 -r {real}:8080 -m -w {d + 1}\n");
            }

            desired.Add(new DesiredService($"svc-{s}", service, reals));
        }

        return new BenchTable(operations, rules.ToString(), new DesiredState(desired, []));
    }

    /// <summary>Service <paramref name="s"/>'s address (up to 65,536 services).</summary>
    public static IPAddress Vip(int s) => new([198, 18, (byte)(s >> 8), (byte)s]);
}
