using System.Diagnostics;
using System.Text;

namespace Fusis.Serf.Tests;

/// <summary>Every command against real Debian serf agents on loopback.</summary>
public sealed class SerfAgentIntegrationTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Join_members_filters_tags_update_user_events_and_leave()
    {
        await using SerfAgent a = await SerfAgent.StartAsync("a", new Dictionary<string, string> { ["role"] = "lb" });
        await using SerfAgent b = await SerfAgent.StartAsync("b", new Dictionary<string, string> { ["role"] = "web", ["svc"] = "http" });
        await using SerfAgent c = await SerfAgent.StartAsync("c", new Dictionary<string, string> { ["role"] = "web" });
        await using SerfClient onA = await a.ConnectAsync();
        await using SerfClient onB = await b.ConnectAsync();
        await using SerfClient onC = await c.ConnectAsync();
        await using SerfSubscription<SerfEvent> stream = await onA.StreamAsync("member-join,member-update,member-leave,user:deploy");

        Assert.Equal(1, await onB.JoinAsync([a.GossipAddress]));
        Assert.Equal(1, await onC.JoinAsync([a.GossipAddress]));
        await Events.MemberEventAsync(stream, SerfMemberEventType.Join, "c", EventTimeout);

        IReadOnlyList<SerfMember> members = await onA.MembersAsync();
        Assert.Equal(["a", "b", "c"], members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(members, m => Assert.Equal(SerfMemberStatus.Alive, m.Status));
        Assert.Equal(["b", "c"], (await onA.MembersFilteredAsync(new Dictionary<string, string> { ["role"] = "web" })).Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["b"], (await onA.MembersFilteredAsync(new Dictionary<string, string> { ["svc"] = "ht.*" }, "alive")).Select(m => m.Name));
        Assert.Equal(["a"], (await onA.MembersFilteredAsync(name: "a")).Select(m => m.Name));

        await onB.SetTagsAsync(new Dictionary<string, string> { ["weight"] = "5" }, ["svc"]);
        SerfMemberEvent update = await Events.MemberEventAsync(stream, SerfMemberEventType.Update, "b", EventTimeout);
        Assert.Equal(new Dictionary<string, string> { ["role"] = "web", ["weight"] = "5" }, update.Members.Single(m => m.Name == "b").Tags);

        await onB.UserEventAsync("deploy", "v2"u8.ToArray(), coalesce: false);
        await onB.UserEventAsync("ignored", "x"u8.ToArray(), coalesce: false);
        SerfUserEvent deploy = await Events.WaitForAsync(stream, e => e as SerfUserEvent, EventTimeout);
        Assert.Equal(("deploy", "v2"), (deploy.Name, Encoding.UTF8.GetString(deploy.Payload.Span)));

        await onC.LeaveAsync();
        await Events.MemberEventAsync(stream, SerfMemberEventType.Leave, "c", EventTimeout);
        Assert.Equal(SerfMemberStatus.Left, (await onA.MembersAsync()).Single(m => m.Name == "c").Status);
    }

    [Fact]
    public async Task Killed_agent_is_reported_failed_and_can_be_forced_out()
    {
        await using SerfAgent a = await SerfAgent.StartAsync("a");
        await using SerfAgent b = await SerfAgent.StartAsync("b");
        await using SerfClient onA = await a.ConnectAsync();
        await using SerfSubscription<SerfEvent> stream = await onA.StreamAsync("member-failed,member-leave");
        await onA.JoinAsync([b.GossipAddress]);

        var killed = Stopwatch.StartNew();
        b.Kill();
        await Events.MemberEventAsync(stream, SerfMemberEventType.Failed, "b", TimeSpan.FromSeconds(30));
        killed.Stop();

        Assert.Equal(SerfMemberStatus.Failed, (await onA.MembersAsync()).Single(m => m.Name == "b").Status);
        await onA.ForceLeaveAsync("b");
        await Events.MemberEventAsync(stream, SerfMemberEventType.Leave, "b", EventTimeout);
        Assert.InRange(killed.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Query_is_answered_through_respond_on_the_receiving_stream()
    {
        await using SerfAgent a = await SerfAgent.StartAsync("a");
        await using SerfAgent b = await SerfAgent.StartAsync("b");
        await using SerfClient onA = await a.ConnectAsync();
        await using SerfClient onB = await b.ConnectAsync();
        await onA.JoinAsync([b.GossipAddress]);
        await using SerfSubscription<SerfEvent> queries = await onA.StreamAsync("query:ping");
        using var answering = new CancellationTokenSource(EventTimeout);
        Task answer = Task.Run(async () =>
        {
            SerfQueryEvent query = await Events.WaitForAsync(queries, e => e as SerfQueryEvent, EventTimeout);
            await queries.RespondAsync(query.Id, Encoding.UTF8.GetBytes("pong:" + Encoding.UTF8.GetString(query.Payload.Span)));
        });

        var responses = new List<SerfQueryResponse>();
        await foreach (SerfQueryResponse response in onB.QueryAsync("ping", "hello"u8.ToArray(), new SerfQueryOptions { RequestAck = true, Timeout = TimeSpan.FromSeconds(3) }))
        {
            responses.Add(response);
        }

        await answer;
        Assert.Contains(responses, r => r.Type == SerfQueryResponseType.Ack && r.From == "a");
        SerfQueryResponse fromA = Assert.Single(responses, r => r.Type == SerfQueryResponseType.Response);
        Assert.Equal(("a", "pong:hello"), (fromA.From, Encoding.UTF8.GetString(fromA.Payload.Span)));
        var stale = await Assert.ThrowsAsync<SerfCommandException>(() => queries.RespondAsync(9999, "late"u8.ToArray()));
        Assert.Equal(Protocol.SerfErrorText.InvalidQueryId, stale.AgentError);
    }

    [Fact]
    public async Task Key_ring_rotation_in_an_encrypted_cluster()
    {
        const string first = "QHOYjmYlxSCBhdfiolhtDQ==";
        const string second = "T+cNOuZWQh1V/2Qt6lOo+NBuegBSDwJN0/EBvH8YYCM=";
        await using SerfAgent a = await SerfAgent.StartAsync("a", encryptKey: first);
        await using SerfAgent b = await SerfAgent.StartAsync("b", encryptKey: first);
        await using SerfClient onA = await a.ConnectAsync();
        await onA.JoinAsync([b.GossipAddress]);

        Assert.Equal(new Dictionary<string, int> { [first] = 2 }, (await onA.ListKeysAsync()).Keys);
        SerfKeyResponse installed = await onA.InstallKeyAsync(second);
        Assert.Equal((2, 2, 0), (installed.Nodes, installed.Responses, installed.NodesWithErrors));
        await onA.UseKeyAsync(second);
        var primary = await Assert.ThrowsAsync<SerfCommandException>(() => onA.RemoveKeyAsync(second));
        Assert.Contains("Removing the primary key is not allowed", primary.Message, StringComparison.Ordinal);
        await onA.RemoveKeyAsync(first);

        Assert.Equal(new Dictionary<string, int> { [second] = 2 }, (await onA.ListKeysAsync()).Keys);
        Assert.Equal("true", (await onA.StatsAsync())["serf"]["encrypted"]);
    }

    [Fact]
    public async Task Stats_coordinates_and_monitor()
    {
        await using SerfAgent a = await SerfAgent.StartAsync("a", new Dictionary<string, string> { ["role"] = "lb" });
        await using SerfClient onA = await a.ConnectAsync();

        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> stats = await onA.StatsAsync();
        SerfCoordinate? self = await onA.GetCoordinateAsync("a");
        await using SerfSubscription<string> monitor = await onA.MonitorAsync("DEBUG");
        string line = await Events.WaitForAsync(monitor, l => l.Contains("agent", StringComparison.Ordinal) ? l : null, EventTimeout);

        Assert.Equal("a", stats["agent"]["name"]);
        Assert.Equal("lb", stats["tags"]["role"]);
        Assert.Equal("false", stats["serf"]["encrypted"]);
        Assert.NotNull(self);
        Assert.Equal(8, self.Vector.Count);
        Assert.Null(await onA.GetCoordinateAsync("no-such-node"));
        Assert.Contains("[", line, StringComparison.Ordinal);
        var secondMonitor = await onA.MonitorAsync("NOPE").ContinueWith(t => t.Exception?.InnerException);
        Assert.IsType<SerfCommandException>(secondMonitor);
    }

    [Fact]
    public async Task Wrong_token_is_refused_and_the_right_one_works()
    {
        await using SerfAgent a = await SerfAgent.StartAsync("a", rpcAuth: "s3cr3t-token");

        await Assert.ThrowsAsync<SerfAuthenticationException>(() => SerfClient.ConnectAsync(a.Options with { AuthKey = "wrong" }));
        await using SerfClient client = await a.ConnectAsync();
        Assert.Single(await client.MembersAsync());
    }

    [Fact]
    public async Task Agent_restart_the_client_reconnects_and_its_stream_resumes()
    {
        await using SerfAgent a = await SerfAgent.StartAsync("a");
        await using SerfClient client = await a.ConnectAsync();
        await using SerfSubscription<SerfEvent> stream = await client.StreamAsync("user");

        a.Kill();
        await a.RestartAsync();
        SerfStreamResumed resumed = await Events.WaitForAsync(stream, e => e as SerfStreamResumed, EventTimeout);
        await client.UserEventAsync("after-restart", ReadOnlyMemory<byte>.Empty, coalesce: false); // the control connection reopens too
        SerfUserEvent after = await Events.WaitForAsync(stream, e => e as SerfUserEvent, EventTimeout);

        Assert.Equal(1, resumed.Attempt);
        Assert.Equal("after-restart", after.Name);
        Assert.True(after.Payload.IsEmpty);
    }
}
