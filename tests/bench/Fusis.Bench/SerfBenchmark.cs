using System.Diagnostics;
using System.Globalization;
using Fusis.Serf;
using Fusis.Serf.Tests;

namespace Fusis.Bench;

/// <summary>
/// Real serf agents on loopback ("local" profile): how long events take to reach a client callback, against
/// the timings measured with the agent's own tools (serf-rpc.md §8.3: join -> member-join 1.01-1.13 s, local
/// user event &lt; 1 ms), and what the client allocates per received event in steady state.
/// </summary>
internal static class SerfBenchmark
{
    private const int JoinRuns = 5;
    private const int EventRuns = 200;
    private const int AllocationEvents = 2000;

    public static async Task<int> RunAsync()
    {
        await using SerfAgent a = await SerfAgent.StartAsync("bench-a");
        await using SerfClient onA = await a.ConnectAsync();

        // join -> member-join on a stream: includes the agent's 1 s coalescing quiescence
        var joins = new List<double>();
        await using (SerfSubscription<SerfEvent> members = await onA.StreamAsync("member-join"))
        {
            for (int i = 0; i < JoinRuns; i++)
            {
                await using SerfAgent b = await SerfAgent.StartAsync($"bench-b{i}");
                await using SerfClient onB = await b.ConnectAsync();
                var stopwatch = Stopwatch.StartNew();
                await onB.JoinAsync([a.GossipAddress]);
                await NextAsync(members, e => e is SerfMemberEvent m && m.Members.Any(x => x.Name == b.Name));
                joins.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        // allocations per received event: the same burst of sends without, then with, a stream reading them
        long sendOnly = await AllocationsAsync(onA, null);
        await using SerfSubscription<SerfEvent> user = await onA.StreamAsync("user");
        long sendAndReceive = await AllocationsAsync(onA, user);
        double perEvent = (double)(sendAndReceive - sendOnly) / AllocationEvents;

        // a local user event (Coalesce=false): request out, record back, on two connections of this client
        var events = new List<double>();
        for (int i = 0; i < EventRuns; i++)
        {
            string name = $"e{i}";
            var stopwatch = Stopwatch.StartNew();
            await onA.UserEventAsync(name, ReadOnlyMemory<byte>.Empty, coalesce: false);
            await NextAsync(user, e => e is SerfUserEvent u && u.Name == name);
            events.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        string report = string.Create(CultureInfo.InvariantCulture, $"""
            | measurement | Fusis client | serf's own tools (serf-rpc.md 8.3) |
            | --- | --- | --- |
            | join -> member-join at a client callback (n={JoinRuns}) | median {Median(joins):0} ms, max {joins.Max():0} ms | 1,010-1,130 ms (local profile) |
            | local user event -> client callback, round trip (n={EventRuns}) | median {Median(events):0.00} ms, p99 {Percentile(events, 0.99):0.00} ms | < 1 ms |
            | client allocation per received event, steady state (n={AllocationEvents}) | {perEvent:0} bytes | |
            """);
        Console.WriteLine(report);
        bool met = Median(events) < 5;
        Console.WriteLine(met ? "target met: the client adds under 5 ms" : "TARGET MISSED: the client adds 5 ms or more");
        return met ? 0 : 1;
    }

    private static async Task<long> AllocationsAsync(SerfClient client, SerfSubscription<SerfEvent>? stream)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < AllocationEvents; i++)
        {
            await client.UserEventAsync("burst", ReadOnlyMemory<byte>.Empty, coalesce: false);
        }

        if (stream is not null)
        {
            for (int i = 0; i < AllocationEvents; i++)
            {
                await NextAsync(stream, e => e is SerfUserEvent { Name: "burst" });
            }
        }
        else
        {
            await Task.Delay(500); // let the agent finish; nothing reads
        }

        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static async Task NextAsync(SerfSubscription<SerfEvent> subscription, Func<SerfEvent, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!match(await subscription.Records.ReadAsync(timeout.Token)))
        {
        }
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        List<double> sorted = [.. values.Order()];
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }
}
