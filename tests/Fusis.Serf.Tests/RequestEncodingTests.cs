using System.Buffers;
using Fusis.Serf.Protocol;

namespace Fusis.Serf.Tests;

/// <summary>Every request the client sends, byte for byte as the agent accepted it (requests.txt, query-records.txt, event-query.txt).</summary>
public sealed class RequestEncodingTests
{
    public static TheoryData<int> Sequence => new(Enumerable.Range(1, 17));

    [Theory]
    [MemberData(nameof(Sequence))]
    public void Request_matches_the_capture(int seq)
    {
        (string command, (string, object?)[]? body) = seq switch
        {
            1 => (SerfCommands.Handshake, SerfRequests.Handshake()),
            2 => (SerfCommands.Auth, SerfRequests.Auth("s3cr3t-token")),
            3 => (SerfCommands.Members, null),
            4 => (SerfCommands.MembersFiltered, SerfRequests.MembersFiltered(new Dictionary<string, string> { ["role"] = "web" }, "alive", null)),
            5 => (SerfCommands.Stream, SerfRequests.Stream("member-join,member-leave,member-failed,member-update,member-reap")),
            6 => (SerfCommands.Stop, SerfRequests.Stop(5)),
            7 => (SerfCommands.Event, SerfRequests.Event("deploy", "v1.2.3"u8.ToArray(), false)),
            8 => (SerfCommands.Tags, SerfRequests.Tags(new Dictionary<string, string> { ["weight"] = "10" }, ["long"])),
            9 => (SerfCommands.Join, SerfRequests.Join(["127.0.0.1:7946"], false)),
            10 => (SerfCommands.ForceLeave, SerfRequests.ForceLeave("node-b", false)),
            11 => (SerfCommands.Leave, null),
            12 => (SerfCommands.Monitor, SerfRequests.Monitor("DEBUG")),
            13 => (SerfCommands.Respond, SerfRequests.Respond(1, "pong"u8.ToArray())),
            14 => (SerfCommands.InstallKey, SerfRequests.Key("T+cNOuZWQh1V/2Qt6lOo+NBuegBSDwJN0/EBvH8YYCM=")),
            15 => (SerfCommands.ListKeys, null),
            16 => (SerfCommands.Stats, null),
            17 => (SerfCommands.GetCoordinate, SerfRequests.GetCoordinate("node-a")),
            _ => throw new ArgumentOutOfRangeException(nameof(seq)),
        };

        Assert.Equal(Captured("requests.txt", seq), Encode(command, (ulong)seq, body));
    }

    [Fact]
    public void Query_request_matches_the_capture()
    {
        byte[] ours = Encode(SerfCommands.Query, 2, SerfRequests.Query("ping", "hello"u8.ToArray(), new SerfQueryOptions { RequestAck = true, Timeout = TimeSpan.FromSeconds(2) }));

        Assert.Equal(Captured("query-records.txt", 2), ours);
    }

    private static byte[] Encode(string command, ulong seq, (string, object?)[]? body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        SerfCodec.WriteHeader(buffer, command, seq);
        if (body is not null)
        {
            SerfCodec.WriteBody(buffer, body);
        }

        return buffer.WrittenSpan.ToArray();
    }

    // The request header with this Seq and, when the next object is a request body, that body.
    private static byte[] Captured(string file, int seq)
    {
        var objects = Fixture.Load(file);
        for (int i = 0; i < objects.Count; i++)
        {
            if (objects[i].Role == "request-header" && SerfHeaderSeq(objects[i].Bytes) == (ulong)seq)
            {
                bool hasBody = i + 1 < objects.Count && objects[i + 1].Role == "request-body";
                return hasBody ? [.. objects[i].Bytes, .. objects[i + 1].Bytes] : objects[i].Bytes;
            }
        }

        throw new InvalidOperationException($"no request with Seq {seq} in {file}");
    }

    private static ulong SerfHeaderSeq(byte[] header)
    {
        var reader = new MessagePack.MessagePackReader(header);
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            if (reader.ReadString() == "Seq")
            {
                return reader.ReadUInt64();
            }

            reader.Skip();
        }

        throw new InvalidOperationException("request header without Seq");
    }
}
