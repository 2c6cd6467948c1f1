using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fusis.Core.Engine;
using Fusis.Core.Membership;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;
using Fusis.Serf;
using Fusis.Serf.Protocol;
using MessagePack;

namespace Fusis.Bench;

/// <summary>
/// What one Serf member join costs the balancer, at 22 to 220,000 objects, on the real kernel: the work the daemon
/// does for a member event (decode the member list Serf sends, plan membership over every service, the engine's
/// change: save, and write the kernel), with simulated members. The member list is real Serf RPC wire format (msgpack,
/// as `members` answers), made here rather than gossiped: gossip's own second would hide what Fusis costs. Then a
/// cluster of 1,000 agents at 22,000 objects: decoding its list and planning, per event.
/// </summary>
internal static class MembershipBenchmark
{
    private const int Joins = 41;
    private const string Namespace = "fusis-members";

    public static int Run(string[] args)
    {
        int[] sizes = args.Length > 0 ? [.. args.Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [2, 200, 2000, 20000];
        Shell.Run("modprobe", "ip_vs");
        var medians = new List<(int Objects, TimeSpan Median)>();
        foreach (int services in sizes)
        {
            BenchTable table = BenchTable.Build(services, 10);
            List<TimeSpan> joins = Measure(table, agents: 0, Joins);
            medians.Add((table.Operations.Count, joins[joins.Count / 2]));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"membership: {table.Operations.Count} objects: one member join (decode the member list, plan, save, write the kernel): median {joins[joins.Count / 2].TotalMilliseconds:0.0} ms, max {joins[^1].TotalMilliseconds:0.0} ms over {Joins}"));
        }

        bool met = true;
        foreach ((int objects, TimeSpan median) in medians.Skip(1))
        {
            double ratio = median / medians[0].Median;
            double target = objects >= 100 * 1000 ? 2.0 : objects >= 1000 * medians[0].Objects ? 1.5 : double.PositiveInfinity;
            met &= ratio <= target;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"change cost, Serf member join, {objects:N0} vs {medians[0].Objects:N0} objects: {ratio:0.00}x{(double.IsPositiveInfinity(target) ? "" : $" (target <= {target}x)")}"));
        }

        // 1,000 agents, each announcing one of 2,000 services: the list every event brings, decoded and planned.
        BenchTable large = BenchTable.Build(2000, 10);
        byte[] wire = MemberList(1000, large.Desired.Services.Count);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ClusterMember> thousand = [];
        for (int i = 0; i < 10; i++)
        {
            thousand = Cluster(SerfCodec.ReadMembers(new ReadOnlySequence<byte>(wire)));
        }

        TimeSpan decode = clock.Elapsed / 10;
        clock.Restart();
        for (int i = 0; i < 10; i++)
        {
            MembershipPlanner.Apply(large.Desired, thousand, new MembershipPolicy(), DateTimeOffset.UtcNow);
        }

        TimeSpan plan = clock.Elapsed / 10;
        List<TimeSpan> joinsAmongThousand = Measure(large, agents: 1000, 5);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"membership: 1,000 agents ({wire.Length / 1024.0:0} KiB member list) at {large.Operations.Count} objects: decoding the list {decode.TotalMilliseconds:0.0} ms, planning every service {plan.TotalMilliseconds:0.0} ms; one more join, whole: median {joinsAmongThousand[joinsAmongThousand.Count / 2].TotalMilliseconds:0.0} ms"));
        Console.WriteLine(met ? "membership targets met" : "MEMBERSHIP TARGETS MISSED");
        return met ? 0 : 1;
    }

    // An engine over the table in the real kernel, with `agents` members serving already; then one member joins at a
    // time, each announcing another service: the daemon's work for each event, timed.
    private static List<TimeSpan> Measure(BenchTable table, int agents, int joins)
    {
        string folder = Directory.CreateTempSubdirectory("fusis-members-").FullName;
        Shell.Run("ip", $"netns add {Namespace}");
        Shell.Run("ip", $"netns exec {Namespace} ip link set lo up");
        try
        {
            string state = Path.Combine(folder, "state.json");
            FileDesiredStateStore.Write(state, table.Desired);
            using IpvsClient ipvs = IpvsClient.Open($"/run/netns/{Namespace}");
            BalancerEngine engine = BalancerEngine.Start(FileDesiredStateStore.Open(state, TimeSpan.FromSeconds(10)), ipvs);
            try
            {
                engine.ReconcileAsync().GetAwaiter().GetResult();
                var policy = new MembershipPolicy();
                var planner = new MembershipPlanner(policy);
                if (agents > 0)
                {
                    IReadOnlyList<ClusterMember> present = Cluster(SerfCodec.ReadMembers(new ReadOnlySequence<byte>(MemberList(agents, table.Desired.Services.Count))));
                    engine.ChangeAsync((s, _) => planner.Plan(s, present, DateTimeOffset.UtcNow)).GetAwaiter().GetResult();
                }

                var times = new List<TimeSpan>(joins);
                for (int joined = 1; joined <= joins; joined++)
                {
                    byte[] wire = MemberList(agents + joined, table.Desired.Services.Count);
                    var clock = Stopwatch.StartNew();
                    IReadOnlyList<ClusterMember> members = Cluster(SerfCodec.ReadMembers(new ReadOnlySequence<byte>(wire)));
                    engine.ChangeAsync((s, kernel) =>
                    {
                        DateTimeOffset now = DateTimeOffset.UtcNow;
                        return planner.Sweep(planner.Plan(s, members, now), key => kernel.GetDestinations(key), now);
                    }).GetAwaiter().GetResult();
                    times.Add(clock.Elapsed);
                }

                int services = table.Desired.Services.Count;
                IpvsServiceKey last = table.Desired.Services[Announced(agents + joins - 1, services)].Key;
                if (!ipvs.GetDestinations(last).Any(d => d.Address.Equals(Member(agents + joins - 1))))
                {
                    throw new InvalidOperationException("the last member's destination is not in the kernel");
                }

                times.Sort();
                return times;
            }
            finally
            {
                engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            Shell.Run("ip", $"netns delete {Namespace}");
            Directory.Delete(folder, recursive: true);
        }
    }

    // Serf's `members` answer for members 0..count-1: member i, at 198.19.(100+i/250).(i%250+1), announces service
    // Announced(i) of the table's on port 8080.
    private static byte[] MemberList(int count, int services)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write("Members");
        writer.WriteArrayHeader(count);
        for (int i = 0; i < count; i++)
        {
            writer.WriteMapHeader(5);
            writer.Write("Name");
            writer.Write($"agent-{i}");
            writer.Write("Addr");
            writer.Write(Member(i).MapToIPv6().GetAddressBytes()); // Go's net.IP: 16 bytes
            writer.Write("Port");
            writer.Write((ushort)7946);
            writer.Write("Tags");
            writer.WriteMapHeader(2);
            writer.Write(AgentTags.Role);
            writer.Write(AgentTags.AgentRole);
            writer.Write(AgentTags.Services);
            writer.Write($"svc-{Announced(i, services)}:8080");
            writer.Write("Status");
            writer.Write("alive");
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    // Spreads the members over the services.
    private static int Announced(int member, int services) => (int)((member * 7919L) % services);

    private static IPAddress Member(int i) => new([198, 19, (byte)(100 + (i / 250)), (byte)((i % 250) + 1)]);

    private static IReadOnlyList<ClusterMember> Cluster(IReadOnlyList<SerfMember> members) =>
        [.. members.Where(m => m.Status == SerfMemberStatus.Alive).Select(m => new ClusterMember(m.Name, m.Address, MemberState.Alive, m.Tags))];
}
