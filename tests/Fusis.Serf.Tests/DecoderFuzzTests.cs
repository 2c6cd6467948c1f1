using System.Buffers;
using CsCheck;
using Fusis.Serf.Protocol;

namespace Fusis.Serf.Tests;

/// <summary>Random, truncated and mutated frames: every decoder either decodes or throws SerfProtocolException.</summary>
public sealed class DecoderFuzzTests
{
    // Vector files only: timings-*.txt and request-leniency.txt are prose.
    private static readonly byte[][] Captured = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.txt")
        .Where(f => !Path.GetFileName(f).StartsWith("timings-", StringComparison.Ordinal) && !f.EndsWith("request-leniency.txt", StringComparison.Ordinal))
        .SelectMany(f => Fixture.Load(Path.GetFileName(f)))
        .Where(o => o.Role.EndsWith("-body", StringComparison.Ordinal))
        .Select(o => o.Bytes)
        .ToArray();

    [Fact]
    public void Random_bytes() => Gen.Byte.Array[0, 200].Sample(DecodeEverything, iter: 10_000);

    [Fact]
    public void Every_truncation_of_every_captured_body()
    {
        foreach (byte[] body in Captured)
        {
            for (int length = 0; length < body.Length; length++)
            {
                DecodeEverything(body[..length]);
            }
        }
    }

    [Fact]
    public void Mutations_of_captured_bodies() =>
        Gen.Select(Gen.Int[0, Captured.Length - 1], Gen.Int, Gen.Byte).Sample(
            m =>
            {
                byte[] body = (byte[])Captured[m.Item1].Clone();
                body[(int)((uint)m.Item2 % body.Length)] = m.Item3;
                DecodeEverything(body);
            },
            iter: 10_000);

    [Fact]
    public void Hostile_nesting_is_refused()
    {
        // {"X": [[[[...]]]]} 1,000 levels deep under an unknown key.
        byte[] deep = [0x81, 0xa1, (byte)'X', .. Enumerable.Repeat((byte)0x91, 1000), 0xc0];

        Assert.Throws<SerfProtocolException>(() => SerfCodec.ReadMembers(new ReadOnlySequence<byte>(deep)));
    }

    private static void DecodeEverything(byte[] bytes)
    {
        var frame = new ReadOnlySequence<byte>(bytes);
        Decode(() => SerfCodec.ReadHeader(frame));
        Decode(() => SerfCodec.ReadMembers(frame));
        Decode(() => SerfCodec.ReadEvent(frame));
        Decode(() => SerfCodec.ReadQueryRecord(frame));
        Decode(() => SerfCodec.ReadKeyResponse(frame));
        Decode(() => SerfCodec.ReadStats(frame));
        Decode(() => SerfCodec.ReadCoordinate(frame));
        Decode(() => SerfCodec.ReadLogLine(frame));
        Decode(() => SerfCodec.ReadJoinCount(frame));
    }

    private static void Decode<T>(Func<T> decode)
    {
        try
        {
            decode();
        }
        catch (SerfProtocolException)
        {
        }
    }
}
