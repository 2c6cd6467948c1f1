using System.Buffers;
using System.Net;
using MessagePack;

namespace Fusis.Serf.Protocol;

/// <summary>
/// Encodes requests and decodes replies and records of the Serf RPC protocol with MessagePack's primitive
/// reader and writer. Requests are maps with the agent's exact-case keys, integers in their smallest form and
/// strings as str; decoding goes by key name, skips unknown keys, accepts nil for every bin, array and map,
/// and turns any malformed input into <see cref="SerfProtocolException"/>.
/// </summary>
public static class SerfCodec
{
    /// <summary>Deeper nesting than any Serf record has is hostile.</summary>
    private const int MaxDepth = 16;

    public static void WriteHeader(IBufferWriter<byte> output, string command, ulong seq)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(2);
        writer.Write("Command");
        writer.Write(command);
        writer.Write("Seq");
        writer.Write(seq);
        writer.Flush();
    }

    /// <summary>Writes a body as a map of (key, value) pairs in the given order; values: string, bool, integers, bytes, string lists and string maps.</summary>
    public static void WriteBody(IBufferWriter<byte> output, params (string Key, object? Value)[] fields)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(fields.Length);
        foreach ((string key, object? value) in fields)
        {
            writer.Write(key);
            WriteValue(ref writer, value);
        }

        writer.Flush();
    }

    public static SerfResponseHeader ReadHeader(ReadOnlySequence<byte> frame) => Decode(frame, "response header", (ref MessagePackReader reader) =>
    {
        ulong? seq = null;
        string error = string.Empty;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (ReadKey(ref reader))
            {
                case "Seq":
                    seq = reader.ReadUInt64();
                    break;
                case "Error":
                    error = ReadString(ref reader);
                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return new SerfResponseHeader(seq ?? throw new SerfProtocolException("response header without Seq"), error);
    });

    public static IReadOnlyList<SerfMember> ReadMembers(ReadOnlySequence<byte> frame) => Decode(frame, "members", (ref MessagePackReader reader) =>
    {
        IReadOnlyList<SerfMember> members = [];
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            if (ReadKey(ref reader) == "Members")
            {
                members = ReadMemberList(ref reader);
            }
            else
            {
                Skip(ref reader);
            }
        }

        return members;
    });

    /// <summary>The join reply: how many nodes were joined.</summary>
    public static int ReadJoinCount(ReadOnlySequence<byte> frame) => Decode(frame, "join", (ref MessagePackReader reader) =>
    {
        int joined = 0;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            if (ReadKey(ref reader) == "Num")
            {
                joined = reader.ReadInt32();
            }
            else
            {
                Skip(ref reader);
            }
        }

        return joined;
    });

    /// <summary>A stream record: member event, user event or query.</summary>
    public static SerfEvent ReadEvent(ReadOnlySequence<byte> frame) => Decode(frame, "stream record", (ref MessagePackReader reader) =>
    {
        string? type = null, name = null;
        IReadOnlyList<SerfMember> members = [];
        ReadOnlyMemory<byte> payload = ReadOnlyMemory<byte>.Empty;
        ulong ltime = 0, id = 0;
        bool coalesce = false;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (ReadKey(ref reader))
            {
                case "Event":
                    type = ReadString(ref reader);
                    break;
                case "Members":
                    members = ReadMemberList(ref reader);
                    break;
                case "Name":
                    name = ReadString(ref reader);
                    break;
                case "Payload":
                    payload = ReadBytes(ref reader);
                    break;
                case "LTime":
                    ltime = reader.ReadUInt64();
                    break;
                case "ID":
                    id = reader.ReadUInt64();
                    break;
                case "Coalesce":
                    coalesce = reader.ReadBoolean();
                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return type switch
        {
            "member-join" => new SerfMemberEvent(SerfMemberEventType.Join, members),
            "member-leave" => new SerfMemberEvent(SerfMemberEventType.Leave, members),
            "member-failed" => new SerfMemberEvent(SerfMemberEventType.Failed, members),
            "member-update" => new SerfMemberEvent(SerfMemberEventType.Update, members),
            "member-reap" => new SerfMemberEvent(SerfMemberEventType.Reap, members),
            "user" => new SerfUserEvent(name ?? string.Empty, payload, ltime, coalesce),
            "query" => (SerfEvent)new SerfQueryEvent(id, name ?? string.Empty, payload, ltime),
            _ => throw new SerfProtocolException($"unknown stream record type '{type}'"),
        };
    });

    /// <summary>A record of a query this client issued; null for the final "done" record.</summary>
    public static SerfQueryResponse? ReadQueryRecord(ReadOnlySequence<byte> frame) => Decode(frame, "query record", (ref MessagePackReader reader) =>
    {
        string type = string.Empty, from = string.Empty;
        ReadOnlyMemory<byte> payload = ReadOnlyMemory<byte>.Empty;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (ReadKey(ref reader))
            {
                case "Type":
                    type = ReadString(ref reader);
                    break;
                case "From":
                    from = ReadString(ref reader);
                    break;
                case "Payload":
                    payload = ReadBytes(ref reader);
                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return type switch
        {
            "ack" => new SerfQueryResponse(SerfQueryResponseType.Ack, from, payload),
            "response" => new SerfQueryResponse(SerfQueryResponseType.Response, from, payload),
            "done" => null,
            _ => throw new SerfProtocolException($"unknown query record type '{type}'"),
        };
    });

    public static string ReadLogLine(ReadOnlySequence<byte> frame) => Decode(frame, "log record", (ref MessagePackReader reader) =>
    {
        string line = string.Empty;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            if (ReadKey(ref reader) == "Log")
            {
                line = ReadString(ref reader);
            }
            else
            {
                Skip(ref reader);
            }
        }

        return line;
    });

    public static SerfKeyResponse ReadKeyResponse(ReadOnlySequence<byte> frame) => Decode(frame, "key response", (ref MessagePackReader reader) =>
    {
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> messages = new Dictionary<string, string>();
        int errors = 0, nodes = 0, responses = 0;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (ReadKey(ref reader))
            {
                case "Keys":
                    if (!reader.TryReadNil())
                    {
                        int entries = reader.ReadMapHeader();
                        for (int k = 0; k < entries; k++)
                        {
                            string key = ReadString(ref reader);
                            keys[key] = reader.ReadInt32();
                        }
                    }

                    break;
                case "Messages":
                    messages = ReadStringMap(ref reader);
                    break;
                case "NumErr":
                    errors = reader.ReadInt32();
                    break;
                case "NumNodes":
                    nodes = reader.ReadInt32();
                    break;
                case "NumResp":
                    responses = reader.ReadInt32();
                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return new SerfKeyResponse(keys, messages, errors, nodes, responses);
    });

    /// <summary>stats: section → (name → value); every value is a string.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ReadStats(ReadOnlySequence<byte> frame) =>
        Decode(frame, "stats", (ref MessagePackReader reader) =>
        {
            var stats = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            int count = reader.ReadMapHeader();
            for (int i = 0; i < count; i++)
            {
                string section = ReadKey(ref reader);
                stats[section] = ReadStringMap(ref reader);
            }

            return (IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>)stats;
        });

    /// <summary>get-coordinate: the coordinate, or null when the agent has none for that node (Ok=false).</summary>
    public static SerfCoordinate? ReadCoordinate(ReadOnlySequence<byte> frame) => Decode(frame, "coordinate", (ref MessagePackReader reader) =>
    {
        SerfCoordinate? coordinate = null;
        bool ok = false;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (ReadKey(ref reader))
            {
                case "Ok":
                    ok = reader.ReadBoolean();
                    break;
                case "Coord":
                    coordinate = ReadCoordinateMap(ref reader);
                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return ok ? coordinate : null;
    });

    private delegate T Decoder<T>(ref MessagePackReader reader);

    private static T Decode<T>(ReadOnlySequence<byte> frame, string what, Decoder<T> decode)
    {
        try
        {
            var reader = new MessagePackReader(frame);
            T value = decode(ref reader);
            return reader.End ? value : throw new SerfProtocolException($"{what}: trailing bytes after the object");
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException or ArgumentException)
        {
            throw new SerfProtocolException($"malformed {what}: {e.Message}", e);
        }
    }

    private static List<SerfMember> ReadMemberList(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return [];
        }

        int count = reader.ReadArrayHeader();
        var members = new List<SerfMember>(Math.Min(count, 1024));
        for (int i = 0; i < count; i++)
        {
            members.Add(ReadMember(ref reader));
        }

        return members;
    }

    private static SerfMember ReadMember(ref MessagePackReader reader)
    {
        string? name = null;
        IPAddress? address = null;
        int port = 0, protocolMin = 0, protocolMax = 0, protocolCurrent = 0, delegateMin = 0, delegateMax = 0, delegateCurrent = 0;
        IReadOnlyDictionary<string, string> tags = new Dictionary<string, string>();
        SerfMemberStatus status = SerfMemberStatus.Unknown;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (ReadKey(ref reader))
            {
                case "Name":
                    name = ReadString(ref reader);
                    break;
                case "Addr":
                    address = ReadAddress(ref reader);
                    break;
                case "Port":
                    port = reader.ReadUInt16();
                    break;
                case "Tags":
                    tags = ReadStringMap(ref reader);
                    break;
                case "Status":
                    status = ReadString(ref reader) switch
                    {
                        "alive" => SerfMemberStatus.Alive,
                        "leaving" => SerfMemberStatus.Leaving,
                        "left" => SerfMemberStatus.Left,
                        "failed" => SerfMemberStatus.Failed,
                        "none" => SerfMemberStatus.None,
                        _ => SerfMemberStatus.Unknown,
                    };
                    break;
                case "ProtocolMin":
                    protocolMin = reader.ReadByte();
                    break;
                case "ProtocolMax":
                    protocolMax = reader.ReadByte();
                    break;
                case "ProtocolCur":
                    protocolCurrent = reader.ReadByte();
                    break;
                case "DelegateMin":
                    delegateMin = reader.ReadByte();
                    break;
                case "DelegateMax":
                    delegateMax = reader.ReadByte();
                    break;
                case "DelegateCur":
                    delegateCurrent = reader.ReadByte();
                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return new SerfMember(
            name ?? throw new SerfProtocolException("member without a Name"),
            address ?? throw new SerfProtocolException($"member {name} without an Addr"),
            port, tags, status, protocolMin, protocolMax, protocolCurrent, delegateMin, delegateMax, delegateCurrent);
    }

    // Raw 4 or 16 bytes; an IPv4-mapped IPv6 address (agents bound to 0.0.0.0) becomes plain IPv4.
    private static IPAddress ReadAddress(ref MessagePackReader reader)
    {
        ReadOnlyMemory<byte> bytes = ReadBytes(ref reader);
        if (bytes.Length is not (4 or 16))
        {
            throw new SerfProtocolException($"member address of {bytes.Length} bytes (expected 4 or 16)");
        }

        var address = new IPAddress(bytes.Span);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private static SerfCoordinate? ReadCoordinateMap(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        double adjustment = 0, error = 0, height = 0;
        List<double> vector = [];
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (ReadKey(ref reader))
            {
                case "Adjustment":
                    adjustment = reader.ReadDouble();
                    break;
                case "Error":
                    error = reader.ReadDouble();
                    break;
                case "Height":
                    height = reader.ReadDouble();
                    break;
                case "Vec":
                    if (!reader.TryReadNil())
                    {
                        int length = reader.ReadArrayHeader();
                        for (int v = 0; v < length; v++)
                        {
                            vector.Add(reader.ReadDouble());
                        }
                    }

                    break;
                default:
                    Skip(ref reader);
                    break;
            }
        }

        return new SerfCoordinate(adjustment, error, height, vector);
    }

    private static Dictionary<string, string> ReadStringMap(ref MessagePackReader reader)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TryReadNil())
        {
            return map;
        }

        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            string key = ReadString(ref reader);
            map[key] = ReadString(ref reader);
        }

        return map;
    }

    private static string ReadKey(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.String
            ? reader.ReadString() ?? string.Empty
            : throw new SerfProtocolException($"map key of type {reader.NextMessagePackType}, expected a string");

    // Strings are str (fix/8/16/32); nil reads as "".
    private static string ReadString(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return string.Empty;
        }

        return reader.NextMessagePackType == MessagePackType.String
            ? reader.ReadString() ?? string.Empty
            : throw new SerfProtocolException($"expected a string, got {reader.NextMessagePackType}");
    }

    // Byte fields arrive as bin, str or nil (nil for empty).
    private static ReadOnlyMemory<byte> ReadBytes(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return ReadOnlyMemory<byte>.Empty;
            case MessagePackType.Binary:
                return reader.ReadBytes()?.ToArray() ?? [];
            case MessagePackType.String:
                return reader.ReadStringSequence()?.ToArray() ?? [];
            default:
                throw new SerfProtocolException($"expected bytes, got {reader.NextMessagePackType}");
        }
    }

    // Skips a value of an unknown key, refusing nesting deeper than any Serf record.
    private static void Skip(ref MessagePackReader reader, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new SerfProtocolException($"msgpack nested deeper than {MaxDepth} levels");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                int pairs = reader.ReadMapHeader();
                for (int i = 0; i < pairs * 2; i++)
                {
                    Skip(ref reader, depth + 1);
                }

                break;
            case MessagePackType.Array:
                int items = reader.ReadArrayHeader();
                for (int i = 0; i < items; i++)
                {
                    Skip(ref reader, depth + 1);
                }

                break;
            default:
                reader.Skip();
                break;
        }
    }

    private static void WriteValue(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case string s:
                writer.Write(s);
                break;
            case bool b:
                writer.Write(b);
                break;
            case int i:
                writer.Write(i);
                break;
            case long l:
                writer.Write(l);
                break;
            case ulong u:
                writer.Write(u);
                break;
            case byte by:
                writer.Write(by);
                break;
            case ReadOnlyMemory<byte> bytes:
                // An empty payload goes as nil, as the agent itself sends it.
                if (bytes.IsEmpty)
                {
                    writer.WriteNil();
                }
                else
                {
                    writer.Write(bytes.Span);
                }

                break;
            case IReadOnlyDictionary<string, string> map:
                writer.WriteMapHeader(map.Count);
                foreach ((string k, string v) in map)
                {
                    writer.Write(k);
                    writer.Write(v);
                }

                break;
            case IReadOnlyList<string> list:
                writer.WriteArrayHeader(list.Count);
                foreach (string item in list)
                {
                    writer.Write(item);
                }

                break;
            default:
                throw new ArgumentException($"no msgpack encoding for {value.GetType()}", nameof(value));
        }
    }
}
