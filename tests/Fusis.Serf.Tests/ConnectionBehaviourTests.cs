using System.Net;
using System.Net.Sockets;
using Fusis.Serf.Protocol;

namespace Fusis.Serf.Tests;

/// <summary>The protocol's gotchas (serf-rpc.md §1, §2, §9) against a scripted agent.</summary>
public sealed class ConnectionBehaviourTests
{
    private static readonly byte[] MembersBody = Fixture.Load("members-ipv4.txt").First(o => o.Role == "response-body").Bytes;
    private static readonly byte[] JoinRecord = Fixture.Load("event-member-join.txt").First(o => o.Role == "response-body").Bytes;

    // A query record as serf writes it (serf-rpc.md §3.5): {"From", "Payload", "Type"}.
    private static byte[] QueryRecord(string type, string from, byte[]? payload)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(buffer);
        writer.WriteMapHeader(3);
        writer.Write("From");
        writer.Write(from);
        writer.Write("Payload");
        if (payload is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(payload);
        }

        writer.Write("Type");
        writer.Write(type);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public async Task Refused_connection_names_the_address()
    {
        int port = FreePort();

        var error = await Assert.ThrowsAsync<SerfConnectionException>(() => SerfClient.ConnectAsync(new SerfClientOptions { Port = port }));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_token_is_an_authentication_error_not_a_connection_error()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            (_, ulong seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq);
            (_, seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq, SerfErrorText.InvalidAuthToken);
            await c.DrainAsync();
        });

        var error = await Assert.ThrowsAsync<SerfAuthenticationException>(() => SerfClient.ConnectAsync(agent.Options("wrong")));

        Assert.Contains("rpc_auth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_records_from_nobody_are_dropped_and_done_ends_the_query()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            await c.AcceptHandshakeAsync();
            (_, ulong seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq);
            await c.ReplyAsync(seq, body: QueryRecord("ack", "a", null));
            await c.ReplyAsync(seq, body: QueryRecord("response", "a", "pong"u8.ToArray()));
            await c.ReplyAsync(seq, body: QueryRecord("ack", string.Empty, null)); // what serf sent at a deadline under load
            await c.ReplyAsync(seq, body: QueryRecord("response", string.Empty, null));
            await c.ReplyAsync(seq, body: QueryRecord("done", string.Empty, null));
            await c.DrainAsync();
        });
        await using SerfClient client = await SerfClient.ConnectAsync(agent.Options());

        var responses = new List<SerfQueryResponse>();
        await foreach (SerfQueryResponse response in client.QueryAsync("ping", "hello"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken))
        {
            responses.Add(response);
        }

        Assert.Equal([(SerfQueryResponseType.Ack, "a"), (SerfQueryResponseType.Response, "a")], responses.Select(r => (r.Type, r.From)));
    }

    [Fact]
    public async Task A_failed_join_still_sends_its_body_and_the_connection_goes_on()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            await c.AcceptHandshakeAsync();
            (_, ulong seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq, "1 error occurred:\n\t* Failed to join 198.18.0.9: dial tcp: connection refused\n\n", [0x81, 0xa3, (byte)'N', (byte)'u', (byte)'m', 0x00]);
            (_, seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq, body: MembersBody);
            await c.DrainAsync();
        });
        await using SerfClient client = await SerfClient.ConnectAsync(agent.Options());

        var error = await Assert.ThrowsAsync<SerfCommandException>(() => client.JoinAsync(["198.18.0.9"]));
        IReadOnlyList<SerfMember> members = await client.MembersAsync();

        Assert.Equal("join", error.Command);
        Assert.Contains("Failed to join 198.18.0.9", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, members.Count);
        Assert.Equal(1, agent.Connections);
    }

    [Fact]
    public async Task Header_only_errors_carry_no_body_even_for_body_commands()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            await c.AcceptHandshakeAsync();
            (_, ulong seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq, SerfErrorText.AuthRequired);
            (_, seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq, body: MembersBody);
            await c.DrainAsync();
        });
        await using SerfClient client = await SerfClient.ConnectAsync(agent.Options());

        var error = await Assert.ThrowsAsync<SerfCommandException>(() => client.StatsAsync());
        IReadOnlyList<SerfMember> members = await client.MembersAsync(); // had a body been awaited, this reply would have been eaten

        Assert.Equal(SerfErrorText.AuthRequired, error.AgentError);
        Assert.Equal(3, members.Count);
    }

    [Fact]
    public async Task An_unknown_sequence_number_is_a_protocol_error_and_the_next_call_reconnects()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            await c.AcceptHandshakeAsync();
            (_, ulong seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(c.Number == 1 ? seq + 40 : seq, body: MembersBody);
            await c.DrainAsync();
        });
        await using SerfClient client = await SerfClient.ConnectAsync(agent.Options());

        var error = await Assert.ThrowsAsync<SerfProtocolException>(() => client.MembersAsync());
        IReadOnlyList<SerfMember> members = await client.MembersAsync();

        Assert.Contains("unknown sequence number", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, members.Count);
        Assert.Equal(2, agent.Connections);
    }

    [Theory]
    [InlineData(new byte[] { 0xc1 })]                              // a byte msgpack never uses
    [InlineData(new byte[] { 0x82, 0xa3, (byte)'S', (byte)'e', (byte)'q', 0xc0, 0xa5, (byte)'E', (byte)'r', (byte)'r', (byte)'o', (byte)'r', 0xa0 })] // nil Seq
    [InlineData(new byte[] { 0x92, 0x01, 0x02 })]                  // an array, not a header map
    public async Task A_malformed_frame_is_a_protocol_error_not_a_hang(byte[] frame)
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            await c.AcceptHandshakeAsync();
            await c.ReadRequestAsync();
            await c.SendRawAsync(frame);
            await c.DrainAsync();
        });
        await using SerfClient client = await SerfClient.ConnectAsync(agent.Options());

        await Assert.ThrowsAsync<SerfProtocolException>(() => client.MembersAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Records_of_a_stopped_stream_that_still_arrive_are_dropped()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            await c.AcceptHandshakeAsync();
            (_, ulong stream) = await c.ReadRequestAsync();
            await c.ReplyAsync(stream);
            await c.ReplyAsync(stream, body: JoinRecord);
            (string command, ulong stop) = await c.ReadRequestAsync();
            Assert.Equal(SerfCommands.Stop, command);
            await c.ReplyAsync(stream, body: JoinRecord); // queued before the stop took effect: arrives first
            await c.ReplyAsync(stop);
            (command, ulong members) = await c.ReadRequestAsync();
            Assert.Equal(SerfCommands.Members, command);
            await c.ReplyAsync(stream, body: JoinRecord); // and one more, after the stop's reply
            await c.ReplyAsync(members, body: MembersBody);
            await c.DrainAsync();
        });
        await using SerfConnection connection = await SerfConnection.ConnectAsync("127.0.0.1", agent.Port, null, TimeSpan.FromSeconds(10), CancellationToken.None);
        int records = 0;
        var first = new TaskCompletionSource();
        ulong seq = await connection.SubscribeAsync(SerfCommands.Stream, SerfRequests.Stream("*"), _ =>
        {
            Interlocked.Increment(ref records);
            first.TrySetResult();
            return true;
        }, _ => { }, CancellationToken.None);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await connection.StopAsync(seq, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        // The same connection still reads replies in step: neither late record was taken for a reply or a header.
        IReadOnlyList<SerfMember>? members = await connection.CommandAsync(SerfCommands.Members, null, SerfCodec.ReadMembers, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, members!.Count);
        Assert.Equal(1, Volatile.Read(ref records));
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task A_dropped_stream_reconnects_resubscribes_and_says_so()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            await c.AcceptHandshakeAsync();
            if (c.Number == 1)
            {
                return; // the control connection: idle
            }

            (_, ulong stream) = await c.ReadRequestAsync();
            await c.ReplyAsync(stream);
            await c.ReplyAsync(stream, body: JoinRecord);
            if (c.Number == 2)
            {
                return; // the agent "restarts": the stream connection drops
            }

            await c.DrainAsync();
        });
        await using SerfClient client = await SerfClient.ConnectAsync(agent.Options());
        await using SerfSubscription<SerfEvent> subscription = await client.StreamAsync();

        var records = new List<SerfEvent>();
        for (int i = 0; i < 3; i++)
        {
            records.Add(await subscription.Records.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.IsType<SerfMemberEvent>(records[0]);
        Assert.Equal(new SerfStreamResumed(1), records[1]);
        Assert.IsType<SerfMemberEvent>(records[2]);
        Assert.Equal(1, subscription.Reconnects);
    }

    [Fact]
    public async Task A_refused_token_on_reconnect_ends_the_stream_without_retrying()
    {
        await using var agent = new ScriptedAgent(async c =>
        {
            (_, ulong seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq);
            (_, seq) = await c.ReadRequestAsync();
            await c.ReplyAsync(seq, c.Number >= 3 ? SerfErrorText.InvalidAuthToken : string.Empty); // the token was rotated
            if (c.Number == 2)
            {
                (_, ulong stream) = await c.ReadRequestAsync();
                await c.ReplyAsync(stream);
                return;
            }

            await c.DrainAsync();
        });
        await using SerfClient client = await SerfClient.ConnectAsync(agent.Options("token"));
        await using SerfSubscription<SerfEvent> subscription = await client.StreamAsync();

        await Assert.ThrowsAsync<SerfAuthenticationException>(async () =>
        {
            await foreach (SerfEvent _ in subscription.Records.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
            {
            }
        });
        await Task.Delay(300);
        Assert.Equal(3, agent.Connections);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
