using System.Net;
using Fusis.Serf.Protocol;

namespace Fusis.Serf.Tests;

/// <summary>Every reply shape captured from the real agent decodes to exactly what its comments say.</summary>
public sealed class FixtureDecodingTests
{
    [Fact]
    public void Members_with_ipv4_addresses_tags_and_a_left_member()
    {
        IReadOnlyList<SerfMember> members = SerfCodec.ReadMembers(Fixture.Get("members-ipv4.txt", "response-body"));

        Assert.Equal(["node-b", "node-c", "node-a"], members.Select(m => m.Name));
        SerfMember b = members[0];
        Assert.Equal(IPAddress.Loopback, b.Address);
        Assert.Equal(7947, b.Port);
        Assert.Equal(SerfMemberStatus.Alive, b.Status);
        Assert.Equal(new Dictionary<string, string> { ["svc"] = "tcp:80,tcp:443", ["weight"] = "20", ["role"] = "web" }, b.Tags);
        Assert.Equal((1, 5, 2, 2, 5, 5), (b.ProtocolMin, b.ProtocolMax, b.ProtocolCurrent, b.DelegateMin, b.DelegateMax, b.DelegateCurrent));
        Assert.Equal(SerfMemberStatus.Left, members[1].Status);
        Assert.Equal(7948, members[1].Port);
    }

    [Fact]
    public void Ipv6_member_and_ipv4_mapped_member()
    {
        SerfMember v6 = Assert.Single(SerfCodec.ReadMembers(Fixture.Get("members-ipv6.txt", "response-body")));
        SerfMember mapped = Assert.Single(SerfCodec.ReadMembers(Fixture.Get("members-ipv4-mapped.txt", "response-body")));

        Assert.Equal(IPAddress.IPv6Loopback, v6.Address);
        Assert.Equal(("node-v6", 7950), (v6.Name, v6.Port));
        Assert.Equal(new Dictionary<string, string> { ["role"] = "v6" }, v6.Tags);
        Assert.Equal(IPAddress.Parse("10.99.0.1"), mapped.Address);
    }

    [Fact]
    public void Filtered_members()
    {
        IReadOnlyList<SerfMember> members = SerfCodec.ReadMembers(Fixture.Get("members-filtered.txt", "response-body"));

        Assert.NotEmpty(members);
        Assert.All(members, m => Assert.Equal(SerfMemberStatus.Alive, m.Status));
    }

    [Theory]
    [InlineData("event-member-join.txt", SerfMemberEventType.Join, SerfMemberStatus.Alive)]
    [InlineData("event-member-update.txt", SerfMemberEventType.Update, SerfMemberStatus.Alive)]
    [InlineData("event-member-leave.txt", SerfMemberEventType.Leave, SerfMemberStatus.Left)]
    [InlineData("event-member-failed.txt", SerfMemberEventType.Failed, SerfMemberStatus.Failed)]
    [InlineData("event-member-reap.txt", SerfMemberEventType.Reap, SerfMemberStatus.Failed)]
    public void Member_events(string file, SerfMemberEventType type, SerfMemberStatus status)
    {
        var record = Assert.IsType<SerfMemberEvent>(SerfCodec.ReadEvent(Fixture.Get(file, "response-body")));

        Assert.Equal(type, record.Type);
        SerfMember member = Assert.Single(record.Members);
        Assert.Equal(status, member.Status);
    }

    [Fact]
    public void Member_join_carries_a_49_byte_str8_tag_value()
    {
        var record = Assert.IsType<SerfMemberEvent>(SerfCodec.ReadEvent(Fixture.Get("event-member-join.txt", "response-body")));

        Assert.Equal("this-is-a-tag-value-longer-than-31-bytes-for-str8", record.Members[0].Tags["long"]);
    }

    [Fact]
    public void User_events_with_payload_and_with_nil_payload()
    {
        var deploy = Assert.IsType<SerfUserEvent>(SerfCodec.ReadEvent(Fixture.Get("event-user.txt", "stream-body")));
        var empty = Assert.IsType<SerfUserEvent>(SerfCodec.ReadEvent(Fixture.Get("event-user-empty-payload.txt", "response-body")));

        Assert.Equal(new SerfUserEvent("deploy", "v1.2.3"u8.ToArray(), 1, false), deploy);
        Assert.Equal(new SerfUserEvent("deploy2", ReadOnlyMemory<byte>.Empty, 2, true), empty);
    }

    [Fact]
    public void Incoming_query()
    {
        var query = Assert.IsType<SerfQueryEvent>(SerfCodec.ReadEvent(Fixture.Get("event-query.txt", "response-body")));

        Assert.Equal(new SerfQueryEvent(1, "ping", "hello"u8.ToArray(), 2), query);
    }

    [Fact]
    public void Query_records_ack_response_and_done()
    {
        SerfQueryResponse?[] records = Enumerable.Range(0, 4)
            .Select(i => SerfCodec.ReadQueryRecord(Fixture.Get("query-records.txt", "record-body", i)))
            .ToArray();

        Assert.Equal(
            [
                new SerfQueryResponse(SerfQueryResponseType.Ack, "node-a", ReadOnlyMemory<byte>.Empty),
                new SerfQueryResponse(SerfQueryResponseType.Ack, "node-b", ReadOnlyMemory<byte>.Empty),
                new SerfQueryResponse(SerfQueryResponseType.Response, "node-b", "pong-from-b"u8.ToArray()),
                null,
            ],
            records);
    }

    [Fact]
    public void Monitor_log_line()
    {
        Assert.Equal("2026/11/29 15:53:48 [INFO] agent: Serf agent starting", SerfCodec.ReadLogLine(Fixture.Get("monitor-log.txt", "record-body")));
    }

    [Fact]
    public void Coordinates_present_and_absent()
    {
        SerfCoordinate? known = SerfCodec.ReadCoordinate(Fixture.Get("get-coordinate.txt", "response-body", 0));
        SerfCoordinate? unknown = SerfCodec.ReadCoordinate(Fixture.Get("get-coordinate.txt", "response-body", 1));

        Assert.NotNull(known);
        Assert.Equal(8, known.Vector.Count);
        Assert.Equal(1.5, known.Error);
        Assert.Null(unknown);
    }

    [Fact]
    public void Key_responses_with_error_keys_and_nil_keys()
    {
        SerfKeyResponse notEncrypted = SerfCodec.ReadKeyResponse(Fixture.Get("keys.txt", "response-body", 0));
        SerfKeyResponse listed = SerfCodec.ReadKeyResponse(Fixture.Get("keys.txt", "response-body", 1));
        SerfKeyResponse removePrimary = SerfCodec.ReadKeyResponse(Fixture.Get("keys.txt", "response-body", 2));

        Assert.Equal("Keyring is empty (encryption not enabled)", notEncrypted.Messages["node-a"]);
        Assert.Equal((1, 1, 1), (notEncrypted.NodesWithErrors, notEncrypted.Nodes, notEncrypted.Responses));
        Assert.Equal(2, listed.Keys.Count);
        Assert.All(listed.Keys.Values, count => Assert.Equal(2, count));
        Assert.Empty(removePrimary.Keys);
        Assert.Equal("Removing the primary key is not allowed", removePrimary.Messages["enc-1"]);
    }

    [Fact]
    public void Stats_are_sections_of_strings()
    {
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> stats = SerfCodec.ReadStats(Fixture.Get("stats.txt", "response-body"));

        Assert.Equal(["agent", "event_handlers", "runtime", "serf", "tags"], stats.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("node-a", stats["agent"]["name"]);
        Assert.Equal("false", stats["serf"]["encrypted"]);
    }

    [Fact]
    public void Every_error_header_in_errors_txt_decodes_with_its_text()
    {
        var headers = Fixture.Load("errors.txt").Where(o => o.Role == "response-header")
            .Select(o => SerfCodec.ReadHeader(new System.Buffers.ReadOnlySequence<byte>(o.Bytes)))
            .ToList();

        Assert.Contains(headers, h => h.Error == SerfErrorText.DuplicateHandshake);
        Assert.Contains(headers, h => h.Error == SerfErrorText.UnsupportedIpcVersion);
        Assert.Contains(headers, h => h.Error == SerfErrorText.HandshakeRequired);
        Assert.Contains(headers, h => h.Error == SerfErrorText.UnsupportedCommand);
        Assert.Contains(headers, h => h.Error == SerfErrorText.AuthRequired);
        Assert.Contains(headers, h => h.Error == SerfErrorText.InvalidAuthToken);
        Assert.Contains(headers, h => h.Error == SerfErrorText.InvalidFilter);
        Assert.Contains(headers, h => h.Error == SerfErrorText.InvalidQueryId);
        Assert.Contains(headers, h => h.Error.StartsWith("1 error occurred:\n\t* Failed to join", StringComparison.Ordinal));
    }
}
