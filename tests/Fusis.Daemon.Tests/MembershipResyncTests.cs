using System.Buffers;
using System.Net;
using Fusis.Core.Membership;
using Fusis.Netlink.Ipvs;
using Fusis.Serf.Protocol;
using Fusis.Serf.Tests;
using MessagePack;

namespace Fusis.Daemon.Tests;

/// <summary>
/// Serf's event stream can lose an event (an agent drops the records a slow client has not read, and events are
/// coalesced), so the balancer reads the whole member list again every resync interval. A scripted agent whose member
/// list gains a backend without any event: with a 1 s resync the backend becomes a destination by itself; with an
/// hour's it does not, until an event comes (the control, which shows the event really was the thing missing).
/// </summary>
public sealed class MembershipResyncTests
{
    private static readonly IPAddress Backend = IPAddress.Parse("198.18.1.1");
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.10"), 80);

    [Fact(Timeout = 60_000)]
    public async Task A_member_whose_event_was_lost_becomes_a_destination_at_the_next_resync()
    {
        await using var serf = new LossyAgent();
        await using ApiHost host = await StartAsync(serf, "00:00:01", TestContext.Current.CancellationToken);

        serf.Announce(); // the member list changes; the event that says so is lost

        Assert.True(await WaitAsync(() => HasBackend(host), TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken), "the resync did not read the member list again");
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_a_resync_the_lost_event_is_repaired_only_by_the_next_event()
    {
        await using var serf = new LossyAgent();
        await using ApiHost host = await StartAsync(serf, "01:00:00", TestContext.Current.CancellationToken);

        serf.Announce();

        Assert.False(await WaitAsync(() => HasBackend(host), TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken), "the backend came without an event or a resync");
        await serf.SendJoinAsync();
        Assert.True(await WaitAsync(() => HasBackend(host), TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken), "the event did not make the backend a destination");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_restarted_agent_that_knows_nobody_is_joined_to_the_members_it_listed_and_no_destination_goes_meanwhile()
    {
        await using var serf = new LossyAgent();
        serf.Announce();
        await using ApiHost host = await StartAsync(serf, "00:00:01", TestContext.Current.CancellationToken);
        Assert.True(await WaitAsync(() => HasBackend(host), TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken), "b1 never became a destination");

        serf.Restart(); // the next connection is a new agent, which lists only the balancer until it is joined to someone
        bool removed = false;
        bool joined = await WaitAsync(() =>
        {
            removed |= !HasBackend(host);
            return serf.Joins > 0 && serf.MemberReads > serf.MemberReadsAtRestart + 2;
        }, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(joined, "the balancer did not join the restarted agent to the member it knew");
        Assert.False(removed, "b1's destination went while the restarted agent knew nobody");
        Assert.True(HasBackend(host));
    }

    private static async Task<ApiHost> StartAsync(LossyAgent serf, string resync, CancellationToken cancellationToken)
    {
        ApiHost host = await ApiHost.StartAsync("--serf-rpc", $"127.0.0.1:{serf.Port}", "--resync-interval", resync);
        using HttpResponseMessage created = await host.SendAsync(HttpMethod.Post, "/services", """{"Name":"web","Protocol":"tcp","Address":"198.18.0.10","Port":80}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The balancer has read the member list once (at its start) before the list changes.
        Assert.True(await WaitAsync(() => serf.MemberReads > 0, TimeSpan.FromSeconds(15), cancellationToken), "the balancer never read the member list");
        return host;
    }

    private static bool HasBackend(ApiHost host) =>
        host.Kernel.GetServices().Any(s => s.Key == Web) && host.Kernel.GetDestinations(Web).Any(d => d.Address.Equals(Backend));

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100, cancellationToken);
        }

        return condition();
    }

    /// <summary>
    /// An agent named "lb" that answers the balancer's requests, lists a backend announcing web:80 once told to, and
    /// sends a member-join record on the event stream only when told to. Told to restart, it drops the connection, and
    /// the next one is a new agent that lists only itself until the balancer joins it to someone.
    /// </summary>
    private sealed class LossyAgent : IAsyncDisposable
    {
        private readonly ScriptedAgent _agent;
        private readonly SemaphoreSlim _writes = new(1, 1);
        private volatile bool _announced;
        private volatile bool _restarting;
        private volatile bool _alone;
        private int _memberReads;
        private int _joins;
        private ScriptedAgent.AgentConnection? _connection;
        private ulong _streamSeq;

        public LossyAgent() => _agent = new ScriptedAgent(ServeAsync);

        public int Port => _agent.Port;

        public int MemberReads => Volatile.Read(ref _memberReads);

        public int MemberReadsAtRestart { get; private set; }

        public int Joins => Volatile.Read(ref _joins);

        public void Announce() => _announced = true;

        public void Restart()
        {
            MemberReadsAtRestart = MemberReads;
            _restarting = true;
        }

        public async Task SendJoinAsync()
        {
            ScriptedAgent.AgentConnection connection = _connection ?? throw new InvalidOperationException("the balancer never subscribed");
            await _writes.WaitAsync();
            try
            {
                await connection.ReplyAsync(_streamSeq, body: Encode((ref MessagePackWriter writer) =>
                {
                    writer.WriteMapHeader(2);
                    writer.Write("Event");
                    writer.Write("member-join");
                    writer.Write("Members");
                    writer.WriteArrayHeader(1);
                    WriteBackend(ref writer);
                }));
            }
            finally
            {
                _writes.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _agent.DisposeAsync();
            _writes.Dispose();
        }

        private async Task ServeAsync(ScriptedAgent.AgentConnection connection)
        {
            await connection.AcceptHandshakeAsync();
            while (true)
            {
                (string command, ulong seq) = await connection.ReadRequestAsync();
                if (_restarting)
                {
                    _restarting = false;
                    _alone = true;
                    throw new IOException("the agent restarts"); // the connection goes
                }

                await _writes.WaitAsync();
                try
                {
                    switch (command)
                    {
                        case SerfCommands.Members:
                            await connection.ReplyAsync(seq, body: MemberList(_announced && !_alone));
                            Interlocked.Increment(ref _memberReads);
                            break;
                        case SerfCommands.Stats:
                            await connection.ReplyAsync(seq, body: Encode((ref MessagePackWriter writer) =>
                            {
                                writer.WriteMapHeader(1);
                                writer.Write("agent");
                                writer.WriteMapHeader(1);
                                writer.Write("name");
                                writer.Write("lb");
                            }));
                            break;
                        case SerfCommands.Join:
                            _alone = false;
                            Interlocked.Increment(ref _joins);
                            await connection.ReplyAsync(seq, body: Encode((ref MessagePackWriter writer) =>
                            {
                                writer.WriteMapHeader(1);
                                writer.Write("Num");
                                writer.Write(1);
                            }));
                            break;
                        default:
                            // tags, stream (its acknowledgement; no record follows unless told), stop
                            await connection.ReplyAsync(seq);
                            if (command == SerfCommands.Stream)
                            {
                                _streamSeq = seq;
                                _connection = connection;
                            }

                            break;
                    }
                }
                finally
                {
                    _writes.Release();
                }
            }
        }

        // The agent itself, and the backend when it is listed.
        private static byte[] MemberList(bool withBackend) => Encode((ref MessagePackWriter writer) =>
        {
            writer.WriteMapHeader(1);
            writer.Write("Members");
            writer.WriteArrayHeader(withBackend ? 2 : 1);
            WriteMember(ref writer, "lb", IPAddress.Parse("198.18.0.1"), new Dictionary<string, string> { [AgentTags.Role] = AgentTags.BalancerRole });
            if (withBackend)
            {
                WriteBackend(ref writer);
            }
        });

        private static void WriteBackend(ref MessagePackWriter writer) => WriteMember(ref writer, "b1", Backend, new Dictionary<string, string>
        {
            [AgentTags.Role] = AgentTags.AgentRole,
            [AgentTags.Services] = AgentTags.Format([new ServiceAnnouncement("web", 80)]),
        });

        private static void WriteMember(ref MessagePackWriter writer, string name, IPAddress address, Dictionary<string, string> tags)
        {
            writer.WriteMapHeader(6);
            writer.Write("Name");
            writer.Write(name);
            writer.Write("Addr");
            writer.Write(address.GetAddressBytes());
            writer.Write("Port");
            writer.Write((ushort)7946);
            writer.Write("Status");
            writer.Write("alive");
            writer.Write("Tags");
            writer.WriteMapHeader(tags.Count);
            foreach ((string key, string value) in tags)
            {
                writer.Write(key);
                writer.Write(value);
            }

            writer.Write("ProtocolCur");
            writer.Write(2);
        }

        private delegate void Writing(ref MessagePackWriter writer);

        private static byte[] Encode(Writing write)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(buffer);
            write(ref writer);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
    }
}
